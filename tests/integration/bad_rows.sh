#!/usr/bin/env bash
# Bad rows are rejected with file:line: field: reason while the rest of the export lands.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
school_with_key 123456 2014001 primary 201
mkdir -p "$T/x"
cat >"$T/x/pupils.csv" <<'CSV'
upn,surname,forename,date_of_birth,sex,nc_year,admission_date,leaving_date,fsm,colour
B801200005001,Testperson,Alpha,2016-05-04,F,4,2024-09-02,,N,blue
A801200005001,Testperson,Wrongletter,2016-05-04,F,4,2024-09-02,,N,red
M80120000500A,Testperson,Beta,2017-01-12,M,3,2024-09-09,,Y,green
P201123456789,Testperson,Gamma,2016-02-01,X,4,2024-09-02,,N,
CSV
cat >"$T/x/marks.csv" <<'CSV'
upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason
B801200005001,2024-09-02,AM,/,,2024-09-02T08:50:00+01:00,Teacher,
B801200005001,2024-09-02,PM,Q9,,2024-09-02T13:15:00+01:00,Teacher,
B801200005001,2024-09-03,AM,H,,2024-09-03T08:50:00+01:00,Teacher,
B801200005001,2024-09-31,AM,/,,2024-09-03T08:50:00+01:00,Teacher,
B801200005001,2024-09-04,XM,/,,2024-09-04T08:50:00+01:00,Teacher,
B801200005001,2024-09-04,AM,L,999,2024-09-04T08:50:00+01:00,Teacher,
M80120000500A,2024-09-02,AM,/,,2024-09-02T08:50:00+01:00,Teacher,
M80120000500A,2024-09-09,AM,/,,2024-09-09T08:50:00+01:00,Teacher,
Z801209809069,2024-09-09,AM,/,,2024-09-09T08:50:00+01:00,Teacher,
B801200005001,2024-09-05,AM,I,,2024-09-05T08:50:00+01:00,Teacher,
CSV
daemon_start
push 123456 "$T/x"
assert_eq "$PUSH_STATUS" 1 "exit status 1: some rows rejected, the rest landed"
e="$T/push.err"
assert_grep "^pupils.csv:1: warning: .*colour" "$e" "unknown column named"
assert_grep "^pupils.csv:3: upn: check letter is A, expected B" "$e" "bad UPN check letter"
assert_grep "^pupils.csv:5: sex: " "$e" "bad sex"
assert_grep "^marks.csv:3: code: unknown code 'Q9'" "$e" "unknown code"
assert_grep "^marks.csv:4: code: code 'H' is retired for sessions from 2024-08-19" "$e" "retired code after 18 Aug 2024"
assert_grep "^marks.csv:5: date: " "$e" "impossible date"
assert_grep "^marks.csv:6: session: " "$e" "bad session"
assert_grep "^marks.csv:7: minutes_late: " "$e" "minutes late out of range"
assert_grep "^marks.csv:8: date: pupil is not on roll on 2024-09-02" "$e" "mark before admission"
assert_grep "^marks.csv:10: upn: pupil is not on the admission register" "$e" "mark for a pupil not on roll"
if grep -E "Testperson|Alpha|Beta|2016-05-04" "$e"; then rc_fail "a rejection message carries personal data"; fi
echo "ok - no names or dates of birth in messages"
assert_eq "$(psql_val "select count(*) from pupil")" "2" "the two good pupils landed"
assert_eq "$(psql_val "select string_agg(date || ' ' || session || ' ' || code, ', ' order by date, session) from mark_current")" \
	"2024-09-02 0 /, 2024-09-05 0 I, 2024-09-09 0 /" "the three good marks landed"
assert_eq "$(psql_val "select fsm from pupil_characteristic c join pupil p using (school_urn, pupil_id) where upn = 'M80120000500A'")" "t" "characteristics stored"
assert_grep "3 rows rejected|rejected" "$T/push.out" "summary counts rejections"
daemon_stop
