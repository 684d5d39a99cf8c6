#!/usr/bin/env bash
# PostgreSQL restarted (fast shutdown, then started again) while four schools push: rollcalld
# reports "not ready" in STATUS while it is down, acknowledges nothing it has not committed
# (each batch a client was told ACCEPTED is in the ledger), and once it is back every push
# finishes and the register matches the exports exactly.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
rc_trust 4 1600 2025-09-01 2025-10-31 42
export ROLLCALL_DAEMON_STATUS_INTERVAL_MS=200
daemon_start
rc_push_all_bg --batch-marks 1000 --window 8 --give-up 120
end=$((SECONDS + 60))
until [ "$(psql_val "select count(*) from batch")" -ge 10 ]; do
	[ $SECONDS -lt $end ] || rc_fail "no progress before the restart"
	sleep 0.02
done
rc_mark "$T/notify.log"
pg_stop fast
echo "ok - PostgreSQL stopped mid-push"
rc_wait_new "$T/notify.log" '^STATUS=not ready \(' 20 "STATUS not ready while PostgreSQL is down"
echo "ok - $(grep '^STATUS=not ready' "$T/notify.log" | tail -n 1 | cut -c1-100)..."
# Clients keep sending meanwhile: they are answered RETRY (or not at all), never ACCEPTED.
rc_mark "$T/daemon.log"
rc_wait_new "$T/daemon.log" 'commit of [0-9]+ batches failed|keys: reload failed' 20 "a failed commit or reload while PostgreSQL is down"
pg_resume
echo "ok - PostgreSQL started again"
rc_mark "$T/notify.log"
rc_wait_new "$T/notify.log" '^STATUS=ready; ' 30 "STATUS ready again"
rc_wait_pushes 180
echo "ok - every push finished after the restart"
rc_acked_in_ledger
rc_register_check $RC_DIRS
daemon_stop
