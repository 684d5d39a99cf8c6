#!/usr/bin/env bash
# Issue 9.7, the daemon's edges: the message-size limit refuses unread at the configured size
# and the push is told why before it sends; the drain on SIGTERM ends within drain_timeout_ms
# even with a commit stuck behind a lock (its batch is answered RETRY, never lost; that the
# unit's stop timeout allows for the drain is integration.units's check); a writer thread that
# cannot start stops the daemon with the reason.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
rc_trust 1 60 2025-09-01 2025-09-26 11
urn=$RC_URNS
key=$T/trust/keys/$urn.key
send() { "$RC_RAWSEND" "$RC_ENDPOINT" "$RC_SERVER_KEY" "$@"; }
pushit() { # pushit ARGS: the school's push; its exit status in PUSH_STATUS
	PUSH_STATUS=0
	rc_push_school "$urn" "$@" || PUSH_STATUS=$?
}
vmhwm() { awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$(pgrep -P "$RC_DAEMON_PID" rollcalld)/status"; }

# --- 1. The size limit: 64 KiB ---------------------------------------------------------------
ROLLCALL_DAEMON_MAX_MESSAGE_BYTES=65536 daemon_start
out=$(send "$key" hello)
assert_eq "${out##* }" "max=65536" "the hello's answer tells the limit"
out=$(send "$key" garbage 65536)
assert_eq "${out%% error=*}" "status=REFUSED accepted=0 rejected=0" "a message of exactly the limit is read (and refused: not a Batch)"
before=$(vmhwm)
out=$(send "$key" garbage 65537 || true)
assert_eq "$out" "noanswer" "a message one byte over the limit is not read"
out=$(send "$key" garbage 200000000 || true)
assert_eq "$out" "noanswer" "a message of 200 MB is not read"
after=$(vmhwm)
echo "daemon peak RSS before/after the 200 MB message: $before MiB / $after MiB"
[ $((after - before)) -lt 50 ] || rc_fail "the daemon's peak RSS grew by $((after - before)) MiB: the message was read"
echo "ok - the daemon did not read the oversized message (peak RSS grew by $((after - before)) MiB)"
out=$(send "$key" hello)
assert_eq "${out%% *}" "status=ACCEPTED" "the daemon serves on after dropping a connection"

# rollcall-push knows the limit before it sends: a marks batch over it is refused with why.
marks=$(awk 'FNR > 1' "$T/trust/$urn/marks.csv" | wc -l)
pushit --batch-marks 5000 --give-up 30
assert_eq "$PUSH_STATUS" 4 "a batch over the daemon's limit: exit 4"
assert_grep "refused: the batch is [0-9]+ bytes, more than the daemon reads \(its max_message_bytes is 65536\): send smaller batches \(--batch-marks\)" \
	"$T/push-$urn.err" "the push says why, naming the limit and the option"
assert_eq "$(psql_val "select count(*) from mark_version")" "0" "the refused marks batch did not land"
assert_eq "$(psql_val "select count(*) from pupil")" "60" "the pupils (a small batch) landed"
touch "$T/trust/$urn"/*.csv
pushit --batch-marks 400 --give-up 30
[ "$PUSH_STATUS" = 0 ] || [ "$PUSH_STATUS" = 4 ] || { cat "$T/push-$urn.err" >&2; rc_fail "second push: exit $PUSH_STATUS"; }
assert_eq "$(psql_val "select count(*) from mark_version")" "$marks" "with smaller batches every mark lands"
daemon_stop

# --- 2. The drain ends within its timeout ----------------------------------------------------
# (That the default drain fits the unit's stop timeout is integration.units's check.)
ROLLCALL_DAEMON_DRAIN_TIMEOUT_MS=2000 daemon_start
# A session holds the school's writer lock, so the batch's commit waits behind it.
psql -X -q -c "select pg_advisory_lock(72431, $urn)" -c "select pg_sleep(300)" >/dev/null 2>&1 &
holder=$!
RC_EXTRA_PIDS="$holder"
rc_wait_sql "select count(*) from pg_locks where locktype = 'advisory' and granted and objid = $urn" 1 20 \
	"the lock holder's lock"
send "$key" batch "$urn" stuck-1 >"$T/stuck.out" &
sender=$!
rc_wait_sql "select count(*) from pg_stat_activity where application_name = 'rollcalld' and wait_event_type = 'Lock'" 1 20 \
	"a commit waiting behind the lock"
t0=$(date +%s%N)
kill -TERM "$RC_DAEMON_PID"
rc_wait_for "$T/notify.log" '^EXIT=' 30 "rollcalld exit"
wait "$RC_DAEMON_PID" || true
RC_DAEMON_PID=
ms=$((($(date +%s%N) - t0) / 1000000))
echo "rollcalld stopped $ms ms after SIGTERM (drain_timeout_ms 2000)"
[ $ms -lt 5000 ] || rc_fail "the drain took $ms ms"
assert_grep '^EXIT=0' "$T/notify.log" "clean exit"
assert_grep 'batches still uncommitted after 2000 ms; cancelling them' "$T/daemon.log" "the stuck commit is named"
wait $sender || true
assert_eq "$(cat "$T/stuck.out")" "status=RETRY accepted=0 rejected=0 error=the daemon is stopping" "the stuck batch is answered RETRY, not refused"
# The lock goes with its session (a psql killed mid-sleep would leave its backend holding it).
psql_val "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = $urn" >/dev/null
wait $holder 2>/dev/null || true
RC_EXTRA_PIDS=
daemon_start
out=$(send "$key" batch "$urn" stuck-1)
assert_eq "${out%% *}" "status=ACCEPTED" "sent again, the batch lands (nothing of it was committed before)"
daemon_stop

# --- 3. A writer thread that cannot start is an error --------------------------------------------
# A 4 TB stack limit makes every new thread's stack impossible to map; the main thread's is not.
if (ulimit -s 4000000000) 2>/dev/null; then
	set +e
	(ulimit -s 4000000000; exec "$RC_BIN_DAEMON" -c "$RC_CONF") >"$T/nothread.out" 2>&1
	status=$?
	set -e
	[ $status -ne 0 ] || rc_fail "rollcalld started without its writer threads"
	assert_grep 'rollcalld: cannot start \(ingest: cannot start writer thread 1 of [0-9]+ \(' "$T/nothread.out" \
		"a writer thread that cannot start stops the daemon, with the reason"
else
	echo "skip - cannot raise the stack limit here, so thread creation cannot be made to fail"
fi
