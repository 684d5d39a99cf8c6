#!/usr/bin/env bash
# Worker faults: a worker killed mid-job (SIGKILL) and one that hangs (SIGSTOP) until its lease
# expires. Another worker completes each job; every job is completed once (the hung worker,
# resumed, does not complete it again); no half-written output is ever visible (a watcher
# checks every file it sees while the jobs run); the register still matches the exports.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
rc_trust_landed 5 1500 2025-09-01 2025-10-17 31
export ROLLCALL_WORKER_LEASE_SECONDS=10

# The watcher: every report file it can see must be whole (the CSV ends with a newline and
# has a row for every line it started, the page ends with </html>).
watch_outputs() {
	while [ ! -e "$T/stop-watch" ]; do
		for f in "$T"/out/trust/*/cohorts.csv "$T"/out/trust/*/index.html; do
			[ -e "$f" ] || continue
			case "$f" in
			*.csv) [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || echo "torn: $f" ;;
			*.html) tail -n 1 "$f" | grep -q '</html>' || echo "torn: $f" ;;
			esac
		done
		sleep 0.01
	done
}
watch_outputs >"$T/watch.out" 2>&1 &
watcher=$!
RC_EXTRA_PIDS=$watcher

wait_state() { rc_wait_sql "select state from job where job_id = $1" "$2" "$3" "job $1's state"; }

# 1. Killed mid-job: the lease expires and another worker completes it.
a=$("$RC_BIN_ADMIN" report cohorts --as-of 2025-10-03 --no-wait | awk '{ print $2 }')
"$RC_BIN_WORKER" -c "$RC_CONF" --name victim >>"$T/worker.log" 2>&1 &
victim=$!
wait_state "$a" running 60
kill -KILL $victim
wait $victim 2>/dev/null || true
"$RC_BIN_WORKER" -c "$RC_CONF" --name rescuer >>"$T/worker.log" 2>&1 &
rescuer=$!
RC_EXTRA_PIDS="$watcher $rescuer"
wait_state "$a" done 60
assert_eq "$(psql_val "select worker || ' ' || attempts from job where job_id = $a")" "rescuer 2" "the killed worker's job completed by another, on its second attempt"
kill -TERM $rescuer; wait $rescuer || true

# 2. Hung (SIGSTOP) past its lease: another worker takes the job over, ending the hung one's
#    session when it holds the lock of a school the job needs; the hung one, resumed, completes
#    nothing (its claim is fenced by the attempt, and its session is gone).
b=$("$RC_BIN_ADMIN" report cohorts --as-of 2025-10-10 --no-wait | awk '{ print $2 }')
"$RC_BIN_WORKER" -c "$RC_CONF" --name sleeper >>"$T/worker.log" 2>&1 &
sleeper=$!
RC_EXTRA_PIDS="$watcher $sleeper"
wait_state "$b" running 60
kill -STOP $sleeper
"$RC_BIN_WORKER" -c "$RC_CONF" --name rescuer2 >>"$T/worker.log" 2>&1 &
rescuer2=$!
RC_EXTRA_PIDS="$watcher $sleeper $rescuer2"
rc_wait_sql "select worker || ' ' || attempts from job where job_id = $b" "rescuer2 2" 60 \
	"the hung worker's job taken over after its lease"
echo "ok - the hung worker's job taken over once its lease expired (rescuer2, attempt 2)"
# While it hangs it holds the lock of the school it was computing: the takeover ends its
# session (it has no live lease), and completes the job with the hung worker still stopped.
wait_state "$b" done 120
assert_grep "ended the session of a worker that held it past its lease" "$T/worker.log" "the hung worker's session ended by the takeover"
kill -CONT $sleeper
assert_eq "$(psql_val "select worker || ' ' || attempts from job where job_id = $b")" "rescuer2 2" "the job completed by the worker that took it over"
assert_eq "$(grep -c "job $b (cohorts, URN 0) done" "$T/worker.log")" "1" "job $b completed once"
assert_grep "job $b: (.*another worker has taken it over|cannot record failure \(queue: no connection)" "$T/worker.log" "the resumed worker, its session ended, changes nothing of the job"
kill -TERM $sleeper $rescuer2
wait $sleeper $rescuer2 || true
RC_EXTRA_PIDS=$watcher
assert_eq "$(psql_val "select state || ' ' || worker from job where job_id = $b")" "done rescuer2" "the completed job stays done (not put back by the resumed worker)"
for d in 2025-10-03 2025-10-10; do
	[ -s "$T/out/trust/$d/cohorts.csv" ] && [ -s "$T/out/trust/$d/index.html" ] || rc_fail "report $d missing"
done

touch "$T/stop-watch"
wait $watcher
RC_EXTRA_PIDS=
assert_eq "$(grep -c . "$T/watch.out" || true)" "0" "no half-written report file was ever visible"
leftover=$(find "$T/out" -name '*.tmp.*' | wc -l)
echo "temporary files left by the killed worker: $leftover"
assert_eq "$(psql_val "select count(*) from job where state <> 'done'")" "0" "every job done"
rc_register_check $RC_DIRS
