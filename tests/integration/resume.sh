#!/usr/bin/env bash
# At-least-once transport, exactly-once effect: a push killed mid-run resumes from its spool;
# a daemon killed mid-push loses nothing; in the end every mark is stored exactly once.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
"$RC_BIN_GEN" --out "$T/trust" --schools 1 --pupils 400 --from 2025-09-01 --to 2025-11-28 \
	--seed 5 >/dev/null
"$RC_BIN_ADMIN" demo "$T/trust" >/dev/null
urn=$(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1)
expected=$(awk 'FNR > 1' "$T/trust/$urn/marks.csv" | wc -l)
daemon_start
pushit() { # exec: the PID of "pushit &" is then rollcall-push itself
	ROLLCALL_PUSH_ACK_TIMEOUT_MS=3000 exec "$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet \
		--batch-marks 500 --window 4 "$@" "$T/trust/$urn"
}

# 1. Kill the push once some batches are acknowledged.
pushit >"$T/p1.out" 2>"$T/p1.err" &
ppid=$!
end=$((SECONDS + 60))
until [ "$(psql_val "select count(*) from batch")" -ge 5 ]; do
	[ $SECONDS -lt $end ] || rc_fail "push made no progress"
	kill -0 $ppid 2>/dev/null || rc_fail "push ended before it could be killed"
	sleep 0.05
done
kill -KILL $ppid
wait $ppid 2>/dev/null || true
landed=$(psql_val "select count(*) from mark_version")
[ "$landed" -lt "$expected" ] || rc_fail "push finished before the kill ($landed marks)"
echo "ok - push killed after $landed of $expected marks"
pending=$(find "$T/spool" -name '*.pb' | wc -l)
[ "$pending" -gt 0 ] || rc_fail "nothing left in the spool after the kill"
echo "ok - $pending batches left in the spool"

# 2. Resume with the daemon killed (SIGKILL) part way and restarted.
pushit >"$T/p2.out" 2>"$T/p2.err" &
ppid=$!
until [ "$(psql_val "select count(*) from mark_version")" -gt "$landed" ]; do
	[ $SECONDS -lt $end ] || rc_fail "resumed push made no progress"
	sleep 0.05
done
kill -KILL "$(rc_daemon_pid)"
wait "$RC_DAEMON_PID" 2>/dev/null || true
RC_DAEMON_PID=
echo "ok - daemon killed mid-push"
daemon_start
end=$((SECONDS + 120))
while kill -0 $ppid 2>/dev/null; do
	if [ $SECONDS -ge $end ]; then
		tail -n 20 "$T/p2.err" >&2
		cat "$T"/spool/*/run-*/acks.log 2>/dev/null | tail -n 5 >&2
		rc_fail "the resumed push did not finish within 120 s of the daemon's restart"
	fi
	sleep 0.1
done
wait $ppid || { cat "$T/p2.err" >&2; rc_fail "resumed push failed"; }
assert_eq "$(psql_val "select count(*) from mark_version")" "$expected" "every mark stored exactly once"
assert_eq "$(find "$T/spool" -name '*.pb' | wc -l)" "0" "spool empty once everything is acknowledged"
rc_acked_in_ledger
rc_register_check "$T/trust/$urn"
daemon_stop
