#!/usr/bin/env bash
# The three sample Common Transfer Files import: pupils with wrong check letters are rejected
# by name of field and line, the others land with contacts and FSM/SEN history.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
S=${ROLLCALL_SRC}/../shared/samples/ctf
[ -d "$S" ] || rc_fail "sample CTFs not found in $S"
school_with_key 113799 8383321 primary 838
school_with_key 123818 9333281 primary 933
school_with_key 136294 9334259 secondary 933
daemon_start
ctf() { # ctf URN FILE: push a CTF (the URN comes from its header)
	set +e
	"$RC_BIN_PUSH" -c "$RC_CONF" --key "$T/keys/$1.key" --quiet "$S/$2" >"$T/push.out" 2>"$T/push.err"
	PUSH_STATUS=$?
	set -e
}
ctf 123818 gryphon_y7_partial.xml
assert_eq "$PUSH_STATUS" 1 "partial CTF: its one pupil is rejected"
assert_grep "^gryphon_y7_partial.xml:24: UPN: check letter is J, expected T" "$T/push.err" "wrong check letter named by file, line, field"
ctf 113799 gryphon_y7_2_students.xml
assert_eq "$PUSH_STATUS" 1 "two-student CTF: one rejected"
assert_grep "^gryphon_y7_2_students.xml:260: UPN: check letter is U, expected R" "$T/push.err" "second pupil rejected by line"
ctf 136294 gryphon_y12.xml
assert_eq "$PUSH_STATUS" 0 "year 12 CTF lands whole"
assert_eq "$(psql_val "select string_agg(school_urn || ':' || upn, ' ' order by upn) from pupil")" \
	"113799:G335311012004 136294:Z801209809069" "the pupils with good UPNs landed, in their schools"
assert_eq "$(psql_val "select count(*) from contact where school_urn = 113799")" "4" "contacts of the landed pupil"
assert_eq "$(psql_val "select count(*) from contact where school_urn = 136294")" "4" "contacts of the year 12 pupil"
hist=$(psql_val "select string_agg(valid_from || ' fsm=' || fsm || ' sen=' || sen, '; ' order by valid_from) from pupil_characteristic c join pupil p using (school_urn, pupil_id) where upn = 'Z801209809069'")
echo "year 12 pupil history: $hist"
assert_grep "fsm=t" <(echo "$hist") "FSM period kept"
assert_grep "sen=K" <(echo "$hist") "SEN support period kept"
daemon_stop
