#!/usr/bin/env bash
# rollcalld SIGKILLed three times while four schools push at once: every push finishes, each
# batch a client was told ACCEPTED is in the ledger, and the register matches the exports
# exactly (nothing lost, nothing doubled).
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
rc_trust 4 1600 2025-09-01 2025-10-31 41
daemon_start
export ROLLCALL_PUSH_ACK_TIMEOUT_MS=3000
rc_push_all_bg --batch-marks 1000 --window 8 --give-up 120
for k in 1 2 3; do
	seen=$(psql_val "select count(*) from batch")
	end=$((SECONDS + 60))
	until [ "$(psql_val "select count(*) from batch")" -ge $((seen + 8)) ]; do
		[ $SECONDS -lt $end ] || rc_fail "no progress before kill $k"
		rc_pushes_running || rc_fail "the pushes finished before kill $k: make the exports larger"
		sleep 0.02
	done
	kill -KILL "$(rc_daemon_pid)"
	wait "$RC_DAEMON_PID" 2>/dev/null || true
	RC_DAEMON_PID=
	echo "ok - rollcalld killed ($k) with $(psql_val "select count(*) from batch") batches committed"
	daemon_start
done
rc_wait_pushes 180
echo "ok - every push finished after three kills"
rc_acked_in_ledger
rc_register_check $RC_DIRS
assert_eq "$(find "$T/spool" -name '*.pb' | wc -l)" "0" "spools empty"
daemon_stop
