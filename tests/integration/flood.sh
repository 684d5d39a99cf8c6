#!/usr/bin/env bash
# Issue 11.6: one client sending large batches without waiting for acks cannot grow the
# daemon without limit nor hold the other schools up. The daemon holds at most
# client_hold_bytes for it (and hold_bytes for all) and answers the rest "busy" (RETRY with a
# wait); rollcall-push backs off and sends again, in order. Every push finishes, the daemon's
# peak RSS stays bounded (printed), and the register matches the exports exactly.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
"$RC_BIN_GEN" --out "$T/trust" --schools 4 --pupils 1600 --from 2025-09-01 --to 2025-10-17 \
	--seed 21 >/dev/null
"$RC_BIN_ADMIN" demo "$T/trust" >/dev/null
urns=$(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1)
school_with_key 100009 2019009 primary 201
mkdir -p "$T/flood"
printf 'upn,surname,forename,date_of_birth,sex,nc_year,admission_date\nB801200005001,Testperson,Flood,2016-05-04,F,4,2020-09-01\n' >"$T/flood/pupils.csv"
printf 'upn,date,session,code\n' >"$T/flood/marks.csv"

# Holds smaller than a push's window (16 batches of 2000 marks, about 5 MiB decoded), so that
# the pushes are answered busy too; ASan's quarantine kept small so that the RSS measured is
# the daemon's own.
export ROLLCALL_DAEMON_HOLD_BYTES=$((8 << 20)) ROLLCALL_DAEMON_CLIENT_HOLD_BYTES=$((2 << 20))
export ROLLCALL_DAEMON_STATUS_INTERVAL_MS=500
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=8"
daemon_start
push 100009 "$T/flood"
assert_eq "$PUSH_STATUS" 0 "the flooding school's pupil is registered"
base=$(rc_daemon_mib VmRSS)

"$RC_RAWSEND" "$RC_ENDPOINT" "$RC_SERVER_KEY" "$T/keys/100009.key" flood 100009 20000 300 \
	"$T/stop-flood" >"$T/flood.out" &
flooder=$!
RC_EXTRA_PIDS=$flooder
rc_mark "$T/notify.log"
rc_wait_new "$T/notify.log" '^STATUS=ready; .*busy [1-9]' 60 "the flood answered busy"
echo "ok - the flooding client is answered busy"

pids=""
for urn in $urns; do
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet \
		--batch-marks 2000 --window 16 --give-up 120 "$T/trust/$urn" \
		>"$T/push-$urn.out" 2>"$T/push-$urn.err" &
	pids="$pids $!"
done
peak=0
end=$((SECONDS + 240))
while [ -n "$(for p in $pids; do kill -0 "$p" 2>/dev/null && echo "$p"; done)" ]; do
	[ $SECONDS -lt $end ] || rc_fail "the pushes did not finish within 240 s beside the flood"
	rss=$(rc_daemon_mib VmRSS)
	[ "$rss" -gt "$peak" ] && peak=$rss
	sleep 0.2
done
i=0
for urn in $urns; do
	i=$((i + 1))
	wait "$(echo $pids | cut -d' ' -f$i)" || { cat "$T/push-$urn.err" >&2; rc_fail "push of $urn failed"; }
	assert_grep "^school $urn: " "$T/push-$urn.out" "push of $urn finished"
done
touch "$T/stop-flood"
wait $flooder
RC_EXTRA_PIDS=
echo "flood: $(cat "$T/flood.out")"
retry=$(sed -n 's/.* retry=\([0-9]*\).*/\1/p' "$T/flood.out")
[ "${retry:-0}" -gt 0 ] || rc_fail "the flooding client was never answered busy"
hwm=$(rc_daemon_mib VmHWM)
echo "rollcalld RSS: $base MiB before the flood, $peak MiB at most while it ran (peak RSS $hwm MiB)"
# hold_bytes (8 MiB) + ZeroMQ's queues (4 messages of ~1 MiB per connection) + the baseline.
[ "$hwm" -lt $((base + 120)) ] || rc_fail "rollcalld grew to $hwm MiB beside the flood"
echo "ok - daemon memory bounded beside the flood"
rc_register_check $(for u in $urns; do echo "$T/trust/$u"; done)
daemon_stop
busy=$(cat "$T"/spool/*/run-*/acks.log | grep -c ' RETRY .*error=busy: ' || true)
echo "busy answers to the pushes: $busy (each batch sent again, in order, after the wait)"
[ "$busy" -gt 0 ] || rc_fail "the pushes were never answered busy: the test shows nothing of their backing off"
echo "ok - the pushes were answered busy too, backed off, and finished"

