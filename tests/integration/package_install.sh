#!/usr/bin/env bash
# The maintainer scripts, run by dpkg itself: the package is installed into a scratch root
# (dpkg --root, scripts run with DPKG_ROOT), upgraded, removed and purged there. Checks the
# rollcall system user and group, the folders with their owners and modes, the configuration's
# group, that an edited conffile survives an upgrade that changes it, that an administrator's
# change to a folder's mode is kept, and what purge leaves. Runs as root, or under fakeroot.
if [ "$(id -u)" != 0 ]; then
	command -v fakeroot >/dev/null || { echo "FAIL: needs root or fakeroot (apt-get install fakeroot)" >&2; exit 1; }
	exec fakeroot -- bash "$0" "$@"
fi
source "$(dirname "$0")/harness.sh"
source "$(dirname "$0")/package_lib.sh"
rc_setup
export PATH=$PATH:/usr/sbin:/sbin # dpkg wants ldconfig and start-stop-daemon on the PATH
pkg_build "$T/pkg"
V1=$PKG_DEB

# Version 2 of the same package, whose example configuration gained a line.
dpkg-deb -R "$V1" "$T/v2"
sed -i -E 's/^Version: (.*)$/Version: \1+test2/' "$T/v2/DEBIAN/control"
echo "# a line added in the next release" >>"$T/v2/etc/rollcall/rollcall.conf"
(cd "$T/v2" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | xargs -0 md5sum) >"$T/v2/DEBIAN/md5sums"
dpkg-deb -b --root-owner-group "$T/v2" "$T/v2.deb" >/dev/null
V2=$T/v2.deb

R=$T/root
mkdir -p "$R/etc" "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
: >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
printf 'root:*:19000:0:99999:7:::\n' >"$R/etc/shadow"
printf 'root:*::\n' >"$R/etc/gshadow"
# The libraries it depends on are this machine's, not the scratch root's.
dpkg_r() { dpkg --root="$R" --force-script-chrootless --force-depends --log=/dev/null "$@" >>"$T/dpkg.out" 2>&1; }

dpkg_r -i "$V1" || { cat "$T/dpkg.out" >&2; rc_fail "dpkg -i failed"; }
echo "ok - installed into a scratch root"
user=$(grep '^rollcall:' "$R/etc/passwd") || rc_fail "no rollcall user"
group=$(grep '^rollcall:' "$R/etc/group") || rc_fail "no rollcall group"
IFS=: read -r _ _ uid gid _ home shell <<<"$user"
[ "$uid" -lt 1000 ] || rc_fail "rollcall is not a system user (uid $uid)"
assert_eq "$(cut -d: -f3 <<<"$group")" "$gid" "the rollcall user's group is rollcall"
assert_eq "$home" "/var/lib/rollcall" "home"
assert_eq "$shell" "/usr/sbin/nologin" "no login shell"

owner_mode() { stat -c '%u:%g %a' "$R$1"; }
assert_eq "$(owner_mode /var/lib/rollcall)" "$uid:$gid 750" "/var/lib/rollcall"
assert_eq "$(owner_mode /var/lib/rollcall/output)" "$uid:$gid 750" "/var/lib/rollcall/output"
assert_eq "$(owner_mode /var/spool/rollcall-push)" "$uid:$gid 750" "/var/spool/rollcall-push"
assert_eq "$(owner_mode /etc/rollcall)" "0:$gid 750" "/etc/rollcall"
assert_eq "$(owner_mode /etc/rollcall/rollcall.conf)" "0:$gid 640" "rollcall.conf readable by group rollcall only"
assert_eq "$(owner_mode /etc/rollcall/push.env)" "0:$gid 640" "push.env readable by group rollcall only"
assert_eq "$(owner_mode /usr/bin/rollcalld)" "0:0 755" "/usr/bin/rollcalld"
assert_eq "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Conffiles}' rollcall | awk '{ print $1 }' | sort | tr '\n' ' ')" \
	"$PKG_CONFFILES " "dpkg records the conffiles"

# The operator edits the configuration and tightens a folder; then the package is upgraded
# with a new example configuration. --force-confold answers dpkg's question as a
# non-interactive upgrade does: keep mine.
echo "# edited by the operator" >>"$R/etc/rollcall/rollcall.conf"
cp "$R/etc/rollcall/rollcall.conf" "$T/edited.conf"
chmod 0700 "$R/var/lib/rollcall/output"
: >"$T/dpkg.out"
dpkg_r --force-confold -i "$V2" || { cat "$T/dpkg.out" >&2; rc_fail "upgrade failed"; }
cmp -s "$R/etc/rollcall/rollcall.conf" "$T/edited.conf" || rc_fail "the edited rollcall.conf was overwritten"
echo "ok - the edited configuration survived the upgrade"
[ -f "$R/etc/rollcall/rollcall.conf.dpkg-dist" ] || rc_fail "the new example was not left beside it"
assert_grep 'a line added in the next release' "$R/etc/rollcall/rollcall.conf.dpkg-dist" "the new example is left as rollcall.conf.dpkg-dist"
assert_eq "$(owner_mode /etc/rollcall/rollcall.conf)" "0:$gid 640" "rollcall.conf keeps its group"
assert_eq "$(owner_mode /etc/rollcall/push.env)" "0:$gid 640" "the unedited push.env has group rollcall after the upgrade"
assert_eq "$(owner_mode /var/lib/rollcall/output)" "$uid:$gid 700" "the operator's folder mode is kept"
assert_eq "$(grep -c '^rollcall:' "$R/etc/passwd")" "1" "the user is not made twice"
assert_grep 'upgraded from .*rollcall migrate' "$T/dpkg.out" "the upgrade says to migrate as the owner, then restart"

# Remove keeps the configuration; purge removes it and the empty folders, and keeps (and
# names) a folder that still holds reports.
mkdir -p "$R/var/lib/rollcall/output/trust"
echo report >"$R/var/lib/rollcall/output/trust/index.html"
: >"$T/dpkg.out"
dpkg_r -r rollcall || { cat "$T/dpkg.out" >&2; rc_fail "remove failed"; }
[ ! -e "$R/usr/bin/rollcalld" ] || rc_fail "remove left /usr/bin/rollcalld"
[ -f "$R/etc/rollcall/rollcall.conf" ] || rc_fail "remove took the configuration"
dpkg_r -P rollcall || { cat "$T/dpkg.out" >&2; rc_fail "purge failed"; }
[ ! -e "$R/etc/rollcall" ] || rc_fail "purge left /etc/rollcall: $(ls -A "$R/etc/rollcall")"
[ ! -e "$R/var/spool/rollcall-push" ] || rc_fail "purge left the empty spool folder"
[ -f "$R/var/lib/rollcall/output/trust/index.html" ] || rc_fail "purge deleted reports"
assert_grep '/var/lib/rollcall/output is not empty and was kept' "$T/dpkg.out" "purge names the folder it kept"
grep -q '^rollcall:' "$R/etc/passwd" || rc_fail "purge removed the user that still owns files"
echo "ok - remove and purge"
