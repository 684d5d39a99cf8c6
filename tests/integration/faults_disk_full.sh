#!/usr/bin/env bash
# The output disk fills up: the report job fails visibly (its error names the full disk), is
# retried, and succeeds once there is room; no partial file is ever left under a report's
# name, and the reports written before are intact. output_dir is a 1 MiB tmpfs: mounted
# directly as root, or inside a user and mount namespace otherwise (the whole test then runs
# there); where neither is possible the test is skipped (exit 77), saying why.
if [ "$(id -u)" != 0 ] && [ -z "${RC_IN_USERNS:-}" ]; then
	if unshare --user --map-current-user --mount --keep-caps true 2>/dev/null; then
		RC_IN_USERNS=1 exec unshare --user --map-current-user --mount --keep-caps bash "$0" "$@"
	fi
	echo "skip - mounting a small filesystem needs root or user namespaces, neither is here"
	exit 77
fi
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
rc_trust_landed 3 600 2025-09-01 2025-10-17 51

mount -t tmpfs -o size=1m,mode=0750 tmpfs "$T/out" || rc_fail "cannot mount a tmpfs on $T/out"
RC_MOUNTS="$T/out"
report() { # report AS_OF: queue the breakdown and let one worker run what is ready
	"$RC_BIN_ADMIN" report cohorts --as-of "$1" --no-wait | awk '{ print $2 }'
}
job=$(report 2025-10-03)
"$RC_BIN_WORKER" -c "$RC_CONF" --once --name w1 >>"$T/worker.log" 2>&1
assert_eq "$(psql_val "select state from job where job_id = $job")" "done" "the first report is written"
d1=$T/out/trust/2025-10-03
sums=$(cat "$d1/cohorts.csv" "$d1/index.html" | sha256sum)

# Fill the disk to the last byte.
dd if=/dev/zero of="$T/out/filler" bs=64k >/dev/null 2>&1 || true
dd if=/dev/zero of="$T/out/filler2" bs=1 >/dev/null 2>&1 || true
echo "ok - output disk full ($(df -k "$T/out" | awk 'NR == 2 { print $4 }') KiB free)"
job=$(report 2025-10-10)
"$RC_BIN_WORKER" -c "$RC_CONF" --once --name w2 >>"$T/worker.log" 2>&1
assert_eq "$(psql_val "select state || ' ' || attempts from job where job_id = $job")" "pending 1" "the job failed and waits to be retried"
psql_val "select last_error from job where job_id = $job" >"$T/last_error"
assert_grep "output: writing $T/out/trust/2025-10-10/cohorts.csv failed \(No space left on device\)" "$T/last_error" "its error names the file it could not write, and why"
assert_grep "job $job .*failed, attempt 1 .*output: writing" "$T/worker.log" "the worker logs the failure"
d2=$T/out/trust/2025-10-10
for f in "$d2/cohorts.csv" "$d2/index.html"; do
	[ ! -e "$f" ] || rc_fail "a partial $f is visible"
done
assert_eq "$(find "$T/out" -name '*.tmp.*' | wc -l)" "0" "no temporary file left on the full disk"
assert_eq "$(cat "$d1/cohorts.csv" "$d1/index.html" | sha256sum)" "$sums" "the earlier report is intact"

# Room again: the retry succeeds.
rm -f "$T/out/filler" "$T/out/filler2"
psql_val "update job set run_after = now() where job_id = $job" >/dev/null # its backoff passes
"$RC_BIN_WORKER" -c "$RC_CONF" --once --name w3 >>"$T/worker.log" 2>&1
assert_eq "$(psql_val "select state || ' ' || attempts from job where job_id = $job")" "done 2" "the retry wrote the report"
tail -n 1 "$d2/index.html" | grep -q '</html>' || rc_fail "the retried page is not whole"
[ "$(tail -c 1 "$d2/cohorts.csv" | od -An -c | tr -d ' ')" = '\n' ] || rc_fail "the retried CSV is not whole"
echo "ok - the retried report is whole"
assert_eq "$(cat "$d1/cohorts.csv" "$d1/index.html" | sha256sum)" "$sums" "the earlier report is still intact"
rc_register_check $RC_DIRS
