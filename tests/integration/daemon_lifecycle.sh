#!/usr/bin/env bash
# rollcalld's life: refuses an unmigrated database, READY/STATUS/STOPPING through sd_notify,
# malformed and unauthorised messages answered without harm, keys reloaded on SIGHUP, an
# unknown key refused at the handshake, --check-config naming bad keys, the drain bounded.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start

# Before migrations, the daemon must refuse to start and say why.
"$RC_BIN_ADMIN" key new --out "$T/early.key" >/dev/null
set +e
ROLLCALL_DAEMON_SERVER_KEY_FILE="$T/early.key" "$RC_BIN_DAEMON" -c /dev/null >"$T/early.out" 2>&1
status=$?
set -e
[ $status -ne 0 ] || rc_fail "rollcalld started on an unmigrated database"
assert_grep "run 'rollcall migrate'" "$T/early.out" "unmigrated database refused with advice"

# Key files are created exclusively, and a secret key others may read is refused.
early_pub=$(sed -n 's/^public = //p' "$T/early.key")
if "$RC_BIN_ADMIN" key new --out "$T/early.key" >/dev/null 2>"$T/keynew.err"; then
	rc_fail "key new replaced an existing key file"
fi
assert_grep "early.key: already exists" "$T/keynew.err" "key new refuses an existing file"
assert_eq "$(sed -n 's/^public = //p' "$T/early.key")" "$early_pub" "the existing key file is unchanged"
assert_eq "$(stat -c %a "$T/early.key")" "600" "a new key file is 0600"
chmod 640 "$T/early.key"
set +e
ROLLCALL_DAEMON_SERVER_KEY_FILE="$T/early.key" "$RC_BIN_DAEMON" -c /dev/null >"$T/exposed.out" 2>&1
status=$?
set -e
[ $status -ne 0 ] || rc_fail "rollcalld started with a group-readable secret key"
assert_grep "early.key: holds a secret key but group or others may read or write it \(mode 0640\); chmod 600 it" \
	"$T/exposed.out" "a group-readable secret key is refused, saying what to do"

rc_configure
# Migrating again changes nothing.
assert_grep "0 migrations applied" <("$RC_BIN_ADMIN" migrate) "migrate is idempotent"

# --check-config names the key and the line of a bad value.
printf '[daemon]\ngroup_wait_ms = lots\n' >"$T/bad.conf"
set +e
"$RC_BIN_DAEMON" -c "$T/bad.conf" --check-config >"$T/check.out" 2>&1
set -e
assert_grep "bad.conf:2: \[daemon\] group_wait_ms: not a whole number" "$T/check.out" "config error names file, line and key"
"$RC_BIN_DAEMON" -c "$RC_CONF" --check-config >"$T/check.out"
assert_grep "configuration is valid" "$T/check.out" "--check-config accepts the test configuration"

school_with_key 100001 2012001 primary 201
school_with_key 100002 2012002 primary 201
daemon_start
assert_grep '^STATUS=.*keys 2' "$T/notify.log" "STATUS reports the key count"

send() { "$RC_RAWSEND" "$RC_ENDPOINT" "$RC_SERVER_KEY" "$@"; }

out=$(send "$T/keys/100001.key" batch 100001 empty-1)
assert_eq "$out" "status=ACCEPTED accepted=0 rejected=0 error=" "an empty batch is accepted"
out=$(send "$T/keys/100001.key" batch 100001 empty-1)
assert_eq "${out%% *}" "status=DUPLICATE" "the same batch id again is a duplicate"
out=$(send "$T/keys/100001.key" batch 100002 cross-1)
assert_eq "$out" "status=REFUSED accepted=0 rejected=0 error=this key may not write school 100002" "a key for school A cannot write school B"
out=$(send "$T/keys/100001.key" garbage 5000)
assert_eq "${out%% error=*}" "status=REFUSED accepted=0 rejected=0" "garbage is refused"
out=$(send "$T/keys/100001.key" frames)
assert_eq "${out%% error=*}" "status=REFUSED accepted=0 rejected=0" "a two-frame message is refused"
out=$(send "$T/keys/100001.key" empties 2000000)
assert_grep "exceeds" <(echo "$out") "a batch of empty sub-messages hits the decode budget"

# An unknown key gets no answer: the handshake is refused.
"$RC_BIN_ADMIN" key new --out "$T/stranger.key" >/dev/null
out=$(send "$T/stranger.key" batch 100001 stranger-1 || true)
assert_eq "$out" "noanswer" "an unknown key cannot connect"

out=$(send "$T/keys/100002.key" batch 100002 before-revoke)
assert_eq "${out%% *}" "status=ACCEPTED" "school B's key works"
# SIGHUP reloads the key table (changes reload it by themselves: see keys_revoke.sh).
kill -HUP "$RC_DAEMON_PID"
rc_wait_for "$T/daemon.log" 'keys: reloaded \(2 in force; asked to\)' 10 "reload on SIGHUP"
echo "ok - SIGHUP reloads the keys"

# The daemon is still up and counting; STOPPING on SIGTERM, clean exit.
rc_wait_for "$T/notify.log" '^STATUS=ready; batches [1-9].*refused [4-9]' 10 "STATUS counts batches and refusals"
daemon_stop
assert_grep '^STOPPING=1' "$T/notify.log" "STOPPING=1 sent on SIGTERM"
assert_grep '^EXIT=0' "$T/notify.log" "clean exit"
assert_eq "$(psql_val "select count(*) from batch")" "2" "two batches in the ledger"
