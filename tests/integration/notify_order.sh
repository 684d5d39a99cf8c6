#!/usr/bin/env bash
# rollcalld under a fake service manager (tests/tools/sdwatch binds the NOTIFY_SOCKET): READY=1,
# then STATUS=, then WATCHDOG=1 (at the interval WATCHDOG_USEC asks for), then STOPPING=1 on
# SIGTERM, in that order, and no WATCHDOG=1 at all when systemd asks for none.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start
rc_configure

# line_of REGEX: the line number of the first notification matching REGEX (empty: none).
line_of() { grep -nE -m1 -- "$1" "$T/notify.log" | cut -d: -f1 || true; }

# wait_count REGEX N: waits (at most 10 s) until N notifications match REGEX.
wait_count() {
	local end=$((SECONDS + 10))
	while [ "$(grep -cE -- "$1" "$T/notify.log")" -lt "$2" ]; do
		[ $SECONDS -lt $end ] || rc_fail "fewer than $2 notifications /$1/ in 10 s"
		sleep 0.05
	done
}

export ROLLCALL_DAEMON_STATUS_INTERVAL_MS=200
export WATCHDOG_USEC=400000 # the daemon pings at half of it: every 200 ms
daemon_start
rc_wait_for "$T/notify.log" '^STATUS=' 10 "STATUS="
wait_count '^WATCHDOG=1$' 3 # three pings show a cadence, not a single send
daemon_stop
unset WATCHDOG_USEC

ready=$(line_of '^READY=1$')
status=$(line_of '^STATUS=')
watchdog=$(line_of '^WATCHDOG=1$')
stopping=$(line_of '^STOPPING=1$')
last_watchdog=$(grep -n '^WATCHDOG=1$' "$T/notify.log" | tail -n 1 | cut -d: -f1)
for v in ready status watchdog stopping; do
	[ -n "${!v}" ] || { cat "$T/notify.log" >&2; rc_fail "no ${v^^} notification"; }
done
[ "$ready" -lt "$status" ] && [ "$status" -lt "$watchdog" ] && [ "$watchdog" -lt "$stopping" ] ||
	{ cat "$T/notify.log" >&2; rc_fail "order: READY line $ready, STATUS $status, WATCHDOG $watchdog, STOPPING $stopping"; }
echo "ok - READY (line $ready), STATUS ($status), WATCHDOG ($watchdog), STOPPING ($stopping) in order"
[ "$last_watchdog" -lt "$stopping" ] || rc_fail "WATCHDOG=1 after STOPPING=1"
! sed -n "$((stopping + 1)),\$p" "$T/notify.log" | grep -q '^READY=1$' || rc_fail "READY=1 after STOPPING=1"
assert_grep '^STATUS=ready; batches [0-9]+ \(dup [0-9]+, refused [0-9]+' "$T/notify.log" "STATUS carries readiness and the live counters"
assert_grep '^EXIT=0$' "$T/notify.log" "clean exit after the drain"

# Without WATCHDOG_USEC the daemon sends no WATCHDOG=1.
cp "$T/notify.log" "$T/notify.first.log"
daemon_start
wait_count '^STATUS=' 3 # two status intervals (200 ms each) pass before it is stopped
daemon_stop
assert_eq "$(grep -c '^WATCHDOG=1$' "$T/notify.log" || true)" "0" "no WATCHDOG=1 when systemd asks for none"
