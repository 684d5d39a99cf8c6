#!/usr/bin/env bash
# Issue 11.4: a batch id carrying a newline cannot forge a line in rollcalld's log. Batch ids
# are refused unless they are visible ASCII, and every wire value the daemon logs is escaped.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
school_with_key 100001 2012001 primary 201
school_with_key 100002 2012002 primary 201
daemon_start
send() { "$RC_RAWSEND" "$RC_ENDPOINT" "$RC_SERVER_KEY" "$@"; }

forged='rollcalld[info]: keys: reloaded (999 in force; forged)'
out=$(send "$T/keys/100001.key" batch 100001 $'x\n'"$forged")
assert_eq "$out" "status=REFUSED accepted=0 rejected=0 error=batch_id must be visible ASCII (character 2 is byte 0x0a)" \
	"a batch id with a newline is refused, the reason does not echo it"
# The same id written to a school this key may not write: refused before authorisation too.
out=$(send "$T/keys/100001.key" batch 100002 $'y\r\n'"$forged")
assert_eq "${out%% error=*}" "status=REFUSED accepted=0 rejected=0" "a CR LF id is refused"
out=$(send "$T/keys/100001.key" batch 100001 $'esc\e[2Jid')
assert_eq "${out#*error=}" "batch_id must be visible ASCII (character 4 is byte 0x1b)" "an escape sequence in an id is refused"
long=$(printf 'z%.0s' $(seq 1 65))
out=$(send "$T/keys/100001.key" batch 100001 "$long")
assert_eq "${out#*error=}" "batch_id longer than 64 characters" "an id over 64 characters is refused"
out=$(send "$T/keys/100001.key" batch 100001 'ok-id_1.2:3')
assert_eq "${out%% *}" "status=ACCEPTED" "an ordinary id is accepted"

# Every log line is one of rollcalld's own: timestamp, ident, priority.
if grep -F "forged" "$T/daemon.log"; then rc_fail "a wire value reached the log unescaped"; fi
echo "ok - no forged text in the log"
bad=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z rollcalld\[[a-z]+\]: ' "$T/daemon.log" || true)
assert_eq "$bad" "0" "every line of the daemon's log is a log line of its own"
assert_grep 'refused \(batch_id must be visible ASCII \(character 2 is byte 0x0a\)\)' "$T/daemon.log" "the refusal is logged with the reason"
daemon_stop
assert_eq "$(psql_val "select count(*) from batch")" "1" "only the ordinary batch is in the ledger"
