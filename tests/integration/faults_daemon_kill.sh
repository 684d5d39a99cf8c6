#!/usr/bin/env bash
# rollcalld SIGKILLed three times while four schools push at once: every push finishes, each
# batch a client was told ACCEPTED is in the ledger, and the register matches the exports
# exactly (nothing lost, nothing doubled).
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
"$RC_BIN_GEN" --out "$T/trust" --schools 4 --pupils 1600 --from 2025-09-01 --to 2025-10-31 \
	--seed 41 >/dev/null
"$RC_BIN_ADMIN" demo "$T/trust" >/dev/null
urns=$(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1)
daemon_start
export ROLLCALL_PUSH_ACK_TIMEOUT_MS=3000
pids=""
for urn in $urns; do
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet \
		--batch-marks 1000 --window 8 --give-up 120 "$T/trust/$urn" \
		>"$T/push-$urn.out" 2>"$T/push-$urn.err" &
	pids="$pids $!"
done
running() { for p in $pids; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
for k in 1 2 3; do
	seen=$(psql_val "select count(*) from batch")
	end=$((SECONDS + 60))
	until [ "$(psql_val "select count(*) from batch")" -ge $((seen + 8)) ]; do
		[ $SECONDS -lt $end ] || rc_fail "no progress before kill $k"
		running || rc_fail "the pushes finished before kill $k: make the exports larger"
		sleep 0.02
	done
	kill -KILL "$(rc_daemon_pid)"
	wait "$RC_DAEMON_PID" 2>/dev/null || true
	RC_DAEMON_PID=
	echo "ok - rollcalld killed ($k) with $(psql_val "select count(*) from batch") batches committed"
	daemon_start
done
i=0
for urn in $urns; do
	i=$((i + 1))
	wait "$(echo $pids | cut -d' ' -f$i)" || { tail -n 20 "$T/push-$urn.err" >&2; rc_fail "push of $urn failed"; }
done
echo "ok - every push finished after three kills"
rc_acked_in_ledger
rc_register_check $(for u in $urns; do echo "$T/trust/$u"; done)
assert_eq "$(find "$T/spool" -name '*.pb' | wc -l)" "0" "spools empty"
daemon_stop
