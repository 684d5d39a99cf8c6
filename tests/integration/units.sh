#!/usr/bin/env bash
# The systemd units as the package ships them: every unit passes "systemd-analyze verify"
# (with no warning) against a root made of the unpacked package and this machine's base system
# units, so the /usr/bin programs they name must really be in the package; rollcalld's stop
# timeout outlasts its drain; no unit migrates the schema; the timers and their commands are the
# ones agreed (notes/interfaces.md); only the worker and rollcall-push may write, each one folder.
source "$(dirname "$0")/harness.sh"
source "$(dirname "$0")/package_lib.sh"
rc_setup
command -v systemd-analyze >/dev/null || rc_fail "systemd-analyze not found (apt-get install systemd)"
pkg_build "$T/pkg"
R=$T/root
dpkg-deb -x "$PKG_DEB" "$R"
U=$R/lib/systemd/system

# The base system's units (targets, sockets the units order after) and /bin/kill, which
# ExecReload= uses, come from this machine; the package's own files are never replaced.
cp -a -n /lib/systemd/system/. "$U/"
[ -e "$R/bin" ] || ln -s usr/bin "$R/bin"
[ -e "$R/usr/bin/kill" ] || cp "$(readlink -f /bin/kill)" "$R/usr/bin/kill"

# verify_units UNIT...: systemd-analyze verify, failing on any message (it only warns about
# unknown keys and bad values). It runs man for each Documentation=man: page: they are looked
# up among the package's own pages.
command -v man >/dev/null || rc_fail "man not found (apt-get install man-db)"
verify_units() {
	set +e
	MANPATH=$R/usr/share/man systemd-analyze verify --root="$R" "$@" >"$T/verify.out" 2>&1
	local status=$?
	set -e
	[ $status -eq 0 ] && ! [ -s "$T/verify.out" ]
}
units=$(pkg_units | sed 's/@\.service$/@1.service/')
verify_units $units || { cat "$T/verify.out" >&2; rc_fail "systemd-analyze verify found problems in the packaged units"; }
echo "ok - systemd-analyze verify passes for: $(echo $units)"

# The check is live: a misspelt key and a program the package does not have are both caught.
sed 's/^WatchdogSec=/WatchDogSec=/' "$U/rollcalld.service" >"$U/rollcall-selftest.service"
verify_units rollcall-selftest.service && rc_fail "verify missed a misspelt key"
assert_grep "Unknown key 'WatchDogSec'" "$T/verify.out" "verify reports a misspelt key"
sed 's#^ExecStart=/usr/bin/rollcalld#ExecStart=/usr/bin/rollcalld-missing#' "$U/rollcalld.service" >"$U/rollcall-selftest.service"
verify_units rollcall-selftest.service && rc_fail "verify missed a missing program"
assert_grep "rollcalld-missing is not executable" "$T/verify.out" "verify reports a program the package lacks"
rm "$U/rollcall-selftest.service"

# key UNIT KEY: the value of KEY in UNIT as shipped (the last one wins, as in systemd).
key() { sed -nE "s/^$2=(.*)$/\\1/p" "$U/$1" | tail -n 1; }
# The drain: after STOPPING=1 rollcalld commits what it holds for at most [daemon]
# drain_timeout_ms (its default, as --check-config prints it), then cancels what is stuck and
# waits 2 s more for the writers (daemon/main.c); systemd must wait longer than that before it
# kills, with a margin for the final commit and the connection teardown.
drain_ms=$("$ROLLCALL_BUILD/daemon/rollcalld" -c /dev/null --check-config | sed -n 's/^drain_timeout_ms = //p')
[ -n "$drain_ms" ] || rc_fail "rollcalld --check-config prints no drain_timeout_ms: update this test"
drain_ms=$((drain_ms + 2000))
stop_s=$(key rollcalld.service TimeoutStopSec)
[[ $stop_s =~ ^[0-9]+$ ]] || rc_fail "rollcalld.service: TimeoutStopSec=$stop_s is not whole seconds"
[ $((stop_s * 1000)) -ge $((drain_ms + 10000)) ] ||
	rc_fail "rollcalld.service: TimeoutStopSec=${stop_s}s does not outlast the ${drain_ms} ms drain by 10 s"
echo "ok - rollcalld's stop timeout (${stop_s} s) outlasts its drain (${drain_ms} ms) by $((stop_s - drain_ms / 1000)) s"

assert_eq "$(key rollcalld.service Type)" "notify" "rollcalld is Type=notify"
[ -n "$(key rollcalld.service WatchdogSec)" ] || rc_fail "rollcalld.service has no WatchdogSec"
assert_eq "$(key rollcall-worker@.service Type)" "notify" "workers are Type=notify"
[ -n "$(key rollcall-worker@.service WatchdogSec)" ] || rc_fail "rollcall-worker@.service has no WatchdogSec"
if grep -nE '^Exec[A-Za-z]*=.* migrate' "$U"/rollcall*.service; then
	rc_fail "a unit runs 'rollcall migrate': migrations are the schema owner's, run by hand"
fi
echo "ok - no unit runs the migrations"

# Hardening: both rollcalld and the shared drop-in make the system read-only and drop every
# capability; the folders written are the worker's and rollcall-push's, one each.
D=$U/rollcall-.service.d/50-hardening.conf
for f in "$U/rollcalld.service" "$D"; do
	for kv in ProtectSystem=strict NoNewPrivileges=yes CapabilityBoundingSet= PrivateTmp=yes \
		ProtectHome=yes RestrictAddressFamilies= SystemCallFilter=@system-service UMask=0027; do
		grep -qE "^$kv" "$f" || rc_fail "$(basename "$f") lacks $kv"
	done
done
grep -q '^User=rollcall$' "$U/rollcalld.service" && grep -q '^User=rollcall$' "$D" ||
	rc_fail "the services do not run as user rollcall"
writes=$(cd "$U" && grep -l '^ReadWritePaths=' $(pkg_units) rollcall-.service.d/*.conf | sort | tr '\n' ' ')
assert_eq "$writes" "rollcall-push.service rollcall-worker@.service " "only the worker and rollcall-push may write"
assert_eq "$(key rollcall-worker@.service ReadWritePaths)" "/var/lib/rollcall" "the worker writes under /var/lib/rollcall only"
assert_eq "$(key rollcall-push.service ReadWritePaths)" "/var/spool/rollcall-push" "rollcall-push writes its spool only"

# Timers and their commands, as agreed in notes/interfaces.md.
for t in $(pkg_units | grep '\.timer$'); do
	[ -f "$U/${t%.timer}.service" ] || rc_fail "$t has no ${t%.timer}.service"
done
cmd() { key "$1" ExecStart | sed 's#^/usr/bin/rollcall -c /etc/rollcall/rollcall.conf ##'; }
assert_eq "$(cmd rollcall-cohorts.service)" "report cohorts --timeout 3600" "nightly cohort breakdown command"
assert_eq "$(cmd rollcall-returns.service)" "returns --all" "monthly LA returns command"
assert_eq "$(cmd rollcall-tsm.service)" "tsm --all" "termly TSM packs command"
assert_eq "$(cmd rollcall-retention.service)" "retention" "retention command"
assert_eq "$(sed -nE 's/^OnCalendar=//p' "$U/rollcall-returns.timer")" "*-*-01 06:00:00" "returns on the 1st at 06:00"
assert_eq "$(sed -nE 's/^OnCalendar=//p' "$U/rollcall-tsm.timer" | sort | tr '\n' ' ')" \
	"*-02-15 06:00:00 *-05-15 06:00:00 *-10-15 06:00:00 " "TSM packs on 15 Oct, 15 Feb, 15 May at 06:00"
assert_eq "$(sed -nE 's/^OnCalendar=//p' "$U/rollcall-retention.timer")" "*-*-* 03:00:00" "retention daily at 03:00"
assert_eq "$(sed -nE 's/^OnCalendar=//p' "$U/rollcall-cohorts.timer")" "*-*-* 05:30:00" "cohort breakdown nightly"
# Each calendar expression is one systemd reads (and when it next fires).
while read -r spec; do
	systemd-analyze calendar "$spec" >/dev/null || rc_fail "OnCalendar=$spec is not a calendar expression"
done < <(cd "$U" && sed -nE 's/^OnCalendar=//p' $(pkg_units | grep '\.timer$'))
echo "ok - every OnCalendar= parses"
