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
rc_trust 4 1600 2025-09-01 2025-10-17 21

# Holds smaller than a push's window (16 batches of 2000 marks, about 5 MiB decoded), so that
# the pushes are answered busy too.
export ROLLCALL_DAEMON_STATUS_INTERVAL_MS=500
rc_flood_setup 8 2
base=$RC_BASE_MIB
rc_flood_start
rc_mark "$T/notify.log"
rc_wait_new "$T/notify.log" '^STATUS=ready; .*busy [1-9]' 60 "the flood answered busy"
echo "ok - the flooding client is answered busy"

rc_push_all_bg --batch-marks 2000 --window 16 --give-up 120
peak=0
end=$((SECONDS + 240))
while rc_pushes_running; do
	[ $SECONDS -lt $end ] || rc_fail "the pushes did not finish within 240 s beside the flood"
	rss=$(rc_daemon_mib VmRSS)
	[ "$rss" -gt "$peak" ] && peak=$rss
	sleep 0.2
done
rc_wait_pushes 10
for urn in $RC_URNS; do
	assert_grep "^school $urn: " "$T/push-$urn.out" "push of $urn finished"
done
rc_flood_stop
retry=$(sed -n 's/.* retry=\([0-9]*\).*/\1/p' "$T/flood.out")
[ "${retry:-0}" -gt 0 ] || rc_fail "the flooding client was never answered busy"
hwm=$(rc_daemon_mib VmHWM)
echo "rollcalld RSS: $base MiB before the flood, $peak MiB at most while it ran (peak RSS $hwm MiB)"
# hold_bytes (8 MiB) + ZeroMQ's queues (4 messages of ~1 MiB per connection) + the baseline.
[ "$hwm" -lt $((base + 120)) ] || rc_fail "rollcalld grew to $hwm MiB beside the flood"
echo "ok - daemon memory bounded beside the flood"
rc_register_check $RC_DIRS
daemon_stop
busy=$(cat "$T"/spool/*/run-*/acks.log | grep -c ' RETRY .*error=busy: ' || true)
echo "busy answers to the pushes: $busy (each batch sent again, in order, after the wait)"
[ "$busy" -gt 0 ] || rc_fail "the pushes were never answered busy: the test shows nothing of their backing off"
echo "ok - the pushes were answered busy too, backed off, and finished"

