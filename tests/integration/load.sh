#!/usr/bin/env bash
# Load (issue 11): 50 schools push their export at once while one client floods the daemon
# with large batches it never waits for. The daemon's memory stays within its hold limit plus
# a bounded overhead (printed), every push finishes, no school waits much longer than the
# others (the spread is printed), and the register matches every export exactly.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off synchronous_commit=off
rc_configure
n=50
rc_trust $n 12000 2025-09-01 2025-09-26 50
urns=$RC_URNS
[ "$(echo $urns | wc -w)" = $n ] || rc_fail "expected $n schools"

rc_flood_setup 32 8
base=$RC_BASE_MIB
rc_flood_start

start=$(date +%s%N)
for urn in $urns; do
	(
		t0=$(date +%s%N)
		"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet \
			--give-up 120 "$T/trust/$urn" >"$T/push-$urn.out" 2>"$T/push-$urn.err"
		echo "$? $(( ($(date +%s%N) - t0) / 1000000 ))" >"$T/push-$urn.done"
	) &
done
peak=0
end=$((SECONDS + 150))
while [ "$(ls "$T"/push-*.done 2>/dev/null | wc -l)" -lt $n ]; do
	[ $SECONDS -lt $end ] || rc_fail "$(ls "$T"/push-*.done 2>/dev/null | wc -l) of $n pushes finished within 150 s"
	rss=$(rc_daemon_mib VmRSS)
	[ "$rss" -gt "$peak" ] && peak=$rss
	sleep 0.2
done
wall=$((($(date +%s%N) - start) / 1000000))
rc_flood_stop
for urn in $urns; do
	read -r status ms <"$T/push-$urn.done"
	[ "$status" = 0 ] || { cat "$T/push-$urn.err" >&2; rc_fail "push of $urn: exit $status"; }
	echo "$ms"
done | sort -n >"$T/times"
echo "ok - all $n pushes finished (exit 0) in $wall ms beside the flood"
echo "push times (ms): fastest $(head -n 1 "$T/times"), median $(sed -n "$((n / 2))p" "$T/times"), slowest $(tail -n 1 "$T/times")"
median=$(sed -n "$((n / 2))p" "$T/times")
[ "$(tail -n 1 "$T/times")" -le $((3 * median + 10000)) ] || rc_fail "a school waited far longer than the others"
echo "ok - no school starved (the slowest within 3 x the median + 10 s)"
hwm=$(rc_daemon_mib VmHWM)
echo "rollcalld RSS: $base MiB at rest, $peak MiB at most during the load (peak RSS $hwm MiB; hold_bytes 32 MiB)"
[ "$hwm" -lt $((base + 32 + 160)) ] || rc_fail "rollcalld grew to $hwm MiB"
echo "ok - daemon memory bounded"
rc_register_check $RC_DIRS
daemon_stop
echo "busy answers to the pushes: $(cat "$T"/spool/*/run-*/acks.log | grep -c ' RETRY .*error=busy: ' || true)"
