#!/usr/bin/env bash
# Issue 11.7: a revoked key stops working from its next message without an operator step
# (no SIGHUP): school_key's trigger notifies rollcalld, which reloads its key table, and the
# commit itself checks the key. A reload that fails (PostgreSQL restarted) is retried until it
# succeeds, and STATUS says "not ready" meanwhile.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
for u in 100001 100002 100003; do school_with_key $u 201${u: -4} primary 201; done
export ROLLCALL_DAEMON_STATUS_INTERVAL_MS=200
daemon_start
send() { "$RC_RAWSEND" "$RC_ENDPOINT" "$RC_SERVER_KEY" "$@"; }
wait_line() { # wait_line FILE N: until FILE has N lines (a rawsend answer), bounded
	local end=$((SECONDS + 20))
	until [ "$(wc -l <"$1")" -ge "$2" ]; do
		[ $SECONDS -lt $end ] || rc_fail "no answer in $1"
		sleep 0.02
	done
}

# 1. Revoked while connected: the same connection's next batch is refused.
send "$T/keys/100002.key" pair 100002 open-1 open-2 "$T/go2" >"$T/pair2.out" &
wait_line "$T/pair2.out" 1
assert_eq "$(head -n 1 "$T/pair2.out" | cut -d' ' -f1)" "status=ACCEPTED" "school B's first batch is accepted"
"$RC_BIN_ADMIN" key revoke --file "$T/keys/100002.key" >/dev/null
touch "$T/go2"
wait $!
assert_eq "$(sed -n 2p "$T/pair2.out" | cut -d' ' -f1)" "status=REFUSED" "the next batch on the open connection is refused, no SIGHUP"
# 2. A new push with the revoked key, started at once, is refused (at the handshake once the
#    table is reloaded, or by the commit's own check before).
mkdir -p "$T/x"
printf 'upn,surname,forename,date_of_birth,sex,nc_year,admission_date\nB801200005001,Testperson,Alpha,2016-05-04,F,4,%s\n' \
	"$(date -d '-30 days' +%F)" >"$T/x/pupils.csv"
printf 'upn,date,session,code\nB801200005001,%s,AM,/\n' "$(date -d '-1 day' +%F)" >"$T/x/marks.csv"
push 100002 "$T/x" --give-up 20
[ "$PUSH_STATUS" = 5 ] || [ "$PUSH_STATUS" = 4 ] || { cat "$T/push.err" >&2; rc_fail "push with a revoked key: exit $PUSH_STATUS"; }
echo "ok - a new push with the revoked key is refused (exit $PUSH_STATUS)"
rc_wait_for "$T/daemon.log" 'keys: reloaded \(2 in force; a key changed\)' 10 "reload on the change"
echo "ok - the key table reloaded itself on the change"

# 3. The commit's own check, alone: with the trigger disabled no reload happens, and the
#    open connection's next batch is still refused.
send "$T/keys/100001.key" pair 100001 quiet-1 quiet-2 "$T/go1" >"$T/pair1.out" &
wait_line "$T/pair1.out" 1
assert_eq "$(head -n 1 "$T/pair1.out" | cut -d' ' -f1)" "status=ACCEPTED" "school A's first batch is accepted"
psql -X -q -v ON_ERROR_STOP=1 -c "ALTER TABLE school_key DISABLE TRIGGER school_key_changed" \
	-c "UPDATE school_key SET revoked_at = now() WHERE school_urn = 100001" \
	-c "ALTER TABLE school_key ENABLE TRIGGER school_key_changed"
touch "$T/go1"
wait $!
assert_eq "$(sed -n 2p "$T/pair1.out")" "status=REFUSED accepted=0 rejected=0 error=this key may no longer write school 100001 (revoked)" \
	"a revocation the daemon was not told of is refused by the commit"
assert_eq "$(psql_val "select string_agg(batch_id, ' ' order by batch_id) from batch")" "open-1 quiet-1" "only the batches before each revocation landed"

# 4. PostgreSQL restarted: STATUS says not ready while it is down; the reload is retried
#    and succeeds once it is back; changes are heard again afterwards.
rc_mark "$T/notify.log"
pg_stop fast
rc_wait_new "$T/notify.log" '^STATUS=not ready \(key table: .*reload failing since' 20 "STATUS not ready while PostgreSQL is down"
echo "ok - STATUS: $(tail -n 1 "$T/notify.log" | cut -c1-110)..."
assert_grep 'keys: reload failed, keeping the keys in force and trying again' "$T/daemon.log" "the failed reload is logged"
rc_mark "$T/daemon.log"
pg_resume
rc_wait_new "$T/daemon.log" 'keys: reloaded \(1 in force; (retry|connection lost)\)' 30 "the reload retried after the restart"
echo "ok - reload retried until PostgreSQL was back"
rc_mark "$T/notify.log"
rc_wait_new "$T/notify.log" '^STATUS=ready; ' 10 "STATUS ready again"
echo "ok - STATUS ready again"
rc_mark "$T/daemon.log"
"$RC_BIN_ADMIN" key revoke --file "$T/keys/100003.key" >/dev/null
rc_wait_new "$T/daemon.log" 'keys: reloaded \(0 in force; a key changed\)' 10 "a change after the restart is heard"
out=$(send "$T/keys/100003.key" batch 100003 after-restart || true)
assert_eq "$out" "noanswer" "a key revoked after the restart cannot connect"
daemon_stop
