#!/usr/bin/env bash
# The three fixture Common Transfer Files (tests/fixtures/ctf: invented pupils, real CTF shape)
# import: pupils with wrong check letters are rejected by field and line, the others land with
# contacts and FSM/SEN history.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
S=$ROLLCALL_SRC/tests/fixtures/ctf
[ -d "$S" ] || rc_fail "fixture CTFs not found in $S"
school_with_key 139001 8383321 primary 838
school_with_key 139002 9333281 primary 933
school_with_key 139003 9384259 secondary 938
daemon_start
ctf() { # ctf URN FILE: push a CTF (the URN comes from its header)
	set +e
	"$RC_BIN_PUSH" -c "$RC_CONF" --key "$T/keys/$1.key" --quiet "$S/$2" >"$T/push.out" 2>"$T/push.err"
	PUSH_STATUS=$?
	set -e
}
ctf 139002 partial_bad_upn.xml
assert_eq "$PUSH_STATUS" 1 "partial CTF: its one pupil is rejected"
assert_grep "^partial_bad_upn.xml:26: UPN: check letter is A, expected L" "$T/push.err" "wrong check letter named by file, line, field"
ctf 139001 primary_two_pupils.xml
assert_eq "$PUSH_STATUS" 1 "two-pupil CTF: one rejected"
assert_grep "^primary_two_pupils.xml:169: UPN: check letter is A, expected K" "$T/push.err" "second pupil rejected by line"
ctf 139003 secondary_history.xml
assert_eq "$PUSH_STATUS" 0 "year 11 CTF lands whole"
assert_eq "$(psql_val "select string_agg(school_urn || ':' || upn, ' ' order by upn) from pupil")" \
	"139001:A838120300104 139003:G938120500071" "the pupils with good UPNs landed, in their schools"
assert_eq "$(psql_val "select count(*) from contact where school_urn = 139001")" "4" "contacts of the landed pupil"
assert_eq "$(psql_val "select count(*) from contact where school_urn = 139003")" "4" "contacts of the year 11 pupil"
hist=$(psql_val "select string_agg(valid_from || ' fsm=' || fsm || ' sen=' || sen, '; ' order by valid_from) from pupil_characteristic c join pupil p using (school_urn, pupil_id) where upn = 'G938120500071'")
echo "year 11 pupil history: $hist"
assert_grep "fsm=t" <(echo "$hist") "FSM period kept"
assert_grep "sen=K" <(echo "$hist") "SEN support period kept"
daemon_stop
