#!/usr/bin/env bash
# The Debian package, unpacked with dpkg-deb into a scratch root: its control fields and
# declared dependencies (every library the programs need comes from one of them), the
# maintainer scripts and the conffiles list, and every file with its mode: the programs in
# /usr/bin, every unit of deploy/ in /lib/systemd/system naming /usr/bin programs that are in
# the package, the migrations, benchmarks and Citus DDL in /usr/share/rollcall, the man pages,
# and the example configuration as a conffile that the packaged rollcalld accepts.
source "$(dirname "$0")/harness.sh"
source "$(dirname "$0")/package_lib.sh"
rc_setup
pkg_build "$T/pkg"
R=$T/root
dpkg-deb -x "$PKG_DEB" "$R"
echo "ok - built and unpacked $(basename "$PKG_DEB")"

# Control fields.
field() { dpkg-deb -f "$PKG_DEB" "$1"; }
assert_eq "$(field Package)" "rollcall" "package name"
assert_eq "$(field Architecture)" "$(dpkg --print-architecture)" "architecture"
version=$(sed -nE 's/^project\(rollcall VERSION ([0-9.]+).*/\1/p' "$ROLLCALL_SRC/CMakeLists.txt")
assert_eq "$(field Version)" "$version" "version is the project's"
depends=$(field Depends | tr -d ' ' | tr ',' '\n' | sed 's/(.*//' | sort)
for p in libzmq5 libpq5 libprotobuf-c1 libsystemd0 libxml2 libcsv3 libinih1; do
	grep -qx "$p" <<<"$depends" || rc_fail "Depends lacks $p: $(field Depends)"
done
echo "ok - Depends declares the runtime libraries"

# Every shared library a packaged program needs belongs to a declared dependency (or to the
# sanitizer runtime, when this build is an ASan/UBSan one).
sanitized=$(grep -c '^ROLLCALL_SANITIZE:BOOL=ON' "$ROLLCALL_BUILD/CMakeCache.txt" || true)
for prog in $PKG_PROGRAMS; do
	for lib in $(objdump -p "$R/usr/bin/$prog" | awk '$1 == "NEEDED" { print $2 }'); do
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l && !seen { print $NF; seen = 1 }')
		[ -n "$path" ] || rc_fail "$prog needs $lib, which is not installed here"
		# dpkg knows a library by the path its package installed (merged /usr: either).
		pkg=$({ dpkg -S "$(readlink -f "$path")" || dpkg -S "$path" || true; } 2>/dev/null |
			awk -F: 'NR == 1 { print $1 }')
		[ -n "$pkg" ] || rc_fail "$prog needs $lib ($path), which no package owns"
		if grep -qx "$pkg" <<<"$depends"; then
			continue
		fi
		if [ "$sanitized" = 1 ] && [[ $pkg =~ ^lib(asan|ubsan)[0-9]+$ ]]; then
			continue
		fi
		rc_fail "$prog needs $lib from package $pkg, which Depends does not name"
	done
done
echo "ok - every library the programs link comes from a declared dependency"

# The control archive: conffiles and maintainer scripts.
mkdir "$T/control"
dpkg-deb -e "$PKG_DEB" "$T/control"
assert_eq "$(sort "$T/control/conffiles" | tr '\n' ' ')" "$PKG_CONFFILES " "conffiles list"
for s in postinst prerm postrm; do
	[ -f "$T/control/$s" ] || rc_fail "no $s in the package"
	assert_eq "$(stat -c %a "$T/control/$s")" "755" "$s is executable"
	sh -n "$T/control/$s" || rc_fail "$s: syntax error"
done
grep -q 'useradd --system' "$T/control/postinst" || rc_fail "postinst does not create the rollcall user"

# Files, owners and modes as the archive records them.
dpkg-deb -c "$PKG_DEB" | awk '{ print $1, $2, $6 }' >"$T/contents"
bad=$(awk '$2 != "root/root"' "$T/contents" | head -n 3)
[ -z "$bad" ] || rc_fail "files not owned by root in the archive: $bad"
mode_of() { awk -v f=".$1" '$3 == f { print $1 }' "$T/contents"; }
for prog in $PKG_PROGRAMS; do
	assert_eq "$(mode_of /usr/bin/$prog)" "-rwxr-xr-x" "/usr/bin/$prog"
done
assert_eq "$(ls "$R/usr/bin" | tr '\n' ' ')" "$(echo $PKG_PROGRAMS) " "nothing else in /usr/bin (no test tools)"
for f in $PKG_CONFFILES; do
	assert_eq "$(mode_of "$f")" "-rw-r-----" "$f is 0640 (postinst gives it to group rollcall)"
done
cmp -s "$R/etc/rollcall/rollcall.conf" "$ROLLCALL_SRC/deploy/rollcall.conf.example" ||
	rc_fail "/etc/rollcall/rollcall.conf is not deploy/rollcall.conf.example"
env -u ROLLCALL_DATABASE_CONNINFO "$R/usr/bin/rollcalld" -c "$R/etc/rollcall/rollcall.conf" \
	--check-config >"$T/check.out" || { cat "$T/check.out" >&2; rc_fail "the packaged rollcalld rejects the packaged configuration"; }
assert_grep '^spool_dir = /var/spool/rollcall-push$' "$T/check.out" "the configuration spools where the package makes the spool folder"
assert_grep '^output_dir = /var/lib/rollcall/output$' "$T/check.out" "reports go under /var/lib/rollcall, the one folder workers may write"

# Units: every unit in deploy/, as files of mode 0644, naming only packaged /usr/bin programs.
assert_eq "$(cd "$R/lib/systemd/system" && ls -- *.service *.timer | sort | tr '\n' ' ')" \
	"$(pkg_units | tr '\n' ' ')" "every unit of deploy/ is in /lib/systemd/system"
[ -f "$R/lib/systemd/system/rollcall-.service.d/50-hardening.conf" ] ||
	rc_fail "the shared hardening drop-in is missing"
for u in $(pkg_units) rollcall-.service.d/50-hardening.conf; do
	assert_eq "$(mode_of /lib/systemd/system/$u)" "-rw-r--r--" "unit $u mode" >/dev/null
	for exe in $(grep -E '^Exec[A-Za-z]*=' "$R/lib/systemd/system/$u" | sed -E 's/^[^=]*=[-@:+!]*//' | awk '{ print $1 }'); do
		case $exe in
		/usr/bin/rollcall*) [ -x "$R$exe" ] || rc_fail "$u runs $exe, which the package lacks" ;;
		/bin/kill) ;;
		*) rc_fail "$u runs $exe: units run packaged programs from /usr/bin" ;;
		esac
	done
done
echo "ok - $(pkg_units | wc -l) units, each naming packaged /usr/bin programs"

# Data and documentation.
for f in "$ROLLCALL_SRC"/sql/[0-9][0-9][0-9]_*.sql; do
	cmp -s "$f" "$R/usr/share/rollcall/sql/$(basename "$f")" || rc_fail "$(basename "$f") not in /usr/share/rollcall/sql"
done
assert_eq "$(ls "$R/usr/share/rollcall/sql" | wc -l)" "$(ls "$ROLLCALL_SRC"/sql/[0-9][0-9][0-9]_*.sql | wc -l)" "every migration in /usr/share/rollcall/sql"
cmp -s "$ROLLCALL_SRC/deploy/benchmarks.csv" "$R/usr/share/rollcall/benchmarks.csv" || rc_fail "benchmarks.csv not in /usr/share/rollcall"
cmp -s "$ROLLCALL_SRC/deploy/citus/rollcall-citus.sql" "$R/usr/share/rollcall/citus/rollcall-citus.sql" || rc_fail "the Citus DDL is not in /usr/share/rollcall/citus"
echo "ok - migrations, benchmarks.csv and the Citus DDL in /usr/share/rollcall"
for page in man8/rollcalld.8 man8/rollcall-worker.8 man8/rollcall.8 man1/rollcall-push.1 man1/rollcall-gen.1 man5/rollcall.conf.5; do
	gz=$R/usr/share/man/$page.gz
	[ -f "$gz" ] || rc_fail "no $page.gz"
	zcat "$gz" | grep -q '^\.TH ' || rc_fail "$page.gz is not a man page"
done
zcat "$R/usr/share/man/man5/rollcall.conf.5.gz" | grep -q '^\.B decode_budget_bytes$' ||
	rc_fail "rollcall.conf.5 in the package lacks the generated key reference"
echo "ok - the six man pages, gzipped"
