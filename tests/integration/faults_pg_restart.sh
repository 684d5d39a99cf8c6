#!/usr/bin/env bash
# PostgreSQL restarted (fast shutdown, then started again) while four schools push: rollcalld
# reports "not ready" in STATUS while it is down, acknowledges nothing it has not committed
# (each batch a client was told ACCEPTED is in the ledger), and once it is back every push
# finishes and the register matches the exports exactly.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
"$RC_BIN_GEN" --out "$T/trust" --schools 4 --pupils 1600 --from 2025-09-01 --to 2025-10-31 \
	--seed 42 >/dev/null
"$RC_BIN_ADMIN" demo "$T/trust" >/dev/null
urns=$(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1)
export ROLLCALL_DAEMON_STATUS_INTERVAL_MS=200
daemon_start
pids=""
for urn in $urns; do
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet \
		--batch-marks 1000 --window 8 --give-up 120 "$T/trust/$urn" \
		>"$T/push-$urn.out" 2>"$T/push-$urn.err" &
	pids="$pids $!"
done
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
i=0
for urn in $urns; do
	i=$((i + 1))
	wait "$(echo $pids | cut -d' ' -f$i)" || { tail -n 20 "$T/push-$urn.err" >&2; rc_fail "push of $urn failed"; }
done
echo "ok - every push finished after the restart"
rc_acked_in_ledger
rc_register_check $(for u in $urns; do echo "$T/trust/$u"; done)
daemon_stop
