#!/usr/bin/env bash
# One set of item rules (lib/validate): the same bad rows, checked by rollcall-push before sending
# and by rollcalld when they arrive unchecked, get the same "file:line: field: reason" on both
# sides, and the good rows land either way.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
school_with_key 123456 2014001 primary 201 # through rollcall-push
school_with_key 123457 2014002 primary 201 # the same rows, unchecked, straight to the daemon
mkdir -p "$T/x"
long201=$(printf 'x%.0s' $(seq 1 201))
printf '%s\n' \
	'upn,surname,forename,date_of_birth,sex,nc_year,admission_date,leaving_date,sen,social_care,postcode' \
	'B801200005001,Testperson,Alpha,2016-05-04,F,4,2024-09-02,,N,,ZZ1 1ZZ' \
	'M80120000500A,Testperson,Beta,2017-01-12,M,3,2024-09-02,,K,CIN,' \
	'A801200005001,Testperson,Wrongletter,2016-05-04,F,4,2024-09-02,,N,,' \
	'P201123456789,Testperson,Gamma,2016-02-01,X,4,2024-09-02,,N,,' \
	'Q801200005002,Testperson,Delta,2016-02-01,F,15,2024-09-02,,N,,' \
	'E801200005003,Testperson,Epsilon,2016-02-01,F,4,2024-09-02,,S,,' \
	'U801200005004,Testperson,Zeta,2016-02-01,F,4,2024-09-02,,N,LAC,' \
	"H801200005005,Test$(printf '\xff')person,Eta,2016-02-01,F,4,2024-09-02,,N,," \
	"X801200005006,Testperson,Th$(printf '\x01')eta,2016-02-01,F,4,2024-09-02,,N,," \
	'L801200005007,Testperson,Iota,2016-02-01,F,4,2024-09-02,,N,,ZZ1 1ZZ ZZ1 1ZZ 12' \
	'A801200005008,Testperson,Kappa,1980-02-01,F,4,2024-09-02,,N,,' \
	'P801200005009,Testperson,Lambda,2016-02-01,F,4,2024-09-02,2024-09-01,N,,' \
	>"$T/x/pupils.csv"
printf '%s\n' \
	'upn,name,relationship,lives_with,phone,priority' \
	'B801200005001,Parent Alpha,Mother,Y,01234 567890,1' \
	'B801200005001,Parent Beta,Father,Y,01234 567891,0' \
	'M80120000500A,,Mother,Y,01234 567892,1' \
	'M80120000500A,Parent Gamma,Mother,Y,0123456789012345678901234567890123456789012,2' \
	"M80120000500A,Parent Delta,Aun$(printf '\xc3')t,N,,3" \
	>"$T/x/contacts.csv"
printf '%s\n' \
	'upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason' \
	'B801200005001,2024-09-02,AM,/,,2024-09-02T08:50:00+01:00,Teacher,' \
	'B801200005001,2024-09-02,PM,Q9,,2024-09-02T13:15:00+01:00,Teacher,' \
	'B801200005001,2024-09-03,AM,H,,2024-09-03T08:50:00+01:00,Teacher,' \
	'B801200005001,2024-07-01,AM,C1,,2024-07-01T08:50:00+01:00,Teacher,' \
	'B801200005001,2024-09-04,AM,L,601,2024-09-04T08:50:00+01:00,Teacher,' \
	'B801200005001,2024-09-05,AM,/,,2019-01-01T08:50:00Z,Teacher,' \
	'B801200005001,2019-09-02,AM,/,,2024-09-05T08:50:00Z,Teacher,' \
	'B801200005001,2027-01-04,AM,/,,2024-09-05T08:50:00Z,Teacher,' \
	"B801200005001,2024-09-06,AM,/,,2024-09-06T08:50:00Z,$long201," \
	"B801200005001,2024-09-06,PM,N,,2024-09-06T13:50:00Z,Teacher,late$(printf '\x7f')" \
	'M80120000500A,2024-09-02,AM,/,,2024-09-02T08:50:00+01:00,Teacher,' \
	'H801200005005,2024-09-02,AM,/,,2024-09-02T08:50:00+01:00,Teacher,' \
	'Z801209809069,2024-09-02,AM,/,,2024-09-02T08:50:00+01:00,Teacher,' \
	>"$T/x/marks.csv"
printf '%s\n' 'date,session,open' '2024-09-02,AM,Y' '2024-09-02,PM,Y' '2019-09-02,AM,Y' \
	>"$T/x/calendar.csv"

daemon_start
push 123456 "$T/x"
assert_eq "$PUSH_STATUS" 1 "rollcall-push: exit 1, some rows rejected"
grep -E '^[a-z]+\.csv:[0-9]+: [a-z_]+: ' "$T/push.err" | grep -v ': warning: ' | sort >"$T/push.rej"

"$ROLLCALL_BUILD/tests/tools/csvbatch" "$T/x" 123457 raw-1 "$T/raw.pb" >/dev/null
"$RC_RAWSEND" "$RC_ENDPOINT" "$RC_SERVER_KEY" "$T/keys/123457.key" file "$T/raw.pb" >"$T/raw.out"
assert_grep '^status=ACCEPTED ' "$T/raw.out" "the daemon accepts the unchecked batch, rows apart"
tail -n +2 "$T/raw.out" | sort >"$T/raw.rej"

want=$(cat <<'LIST'
calendar.csv:4: date: 2019-09-02 is outside the years the register keeps
contacts.csv:3: priority: must be 1..99
contacts.csv:4: name: required
contacts.csv:5: phone: longer than 40 characters
contacts.csv:6: relationship: not valid UTF-8 (byte 4)
marks.csv:10: recorded_by: longer than 200 characters
marks.csv:11: amendment_reason: contains a control character
marks.csv:13: upn: pupil is not on the admission register
marks.csv:14: upn: pupil is not on the admission register
marks.csv:3: code: unknown code 'Q9'
marks.csv:4: code: code 'H' is retired for sessions from 2024-08-19
marks.csv:5: code: code 'C1' is only valid from 2024-08-19
marks.csv:6: minutes_late: must be 0..600
pupils.csv:10: forename: contains a control character
pupils.csv:11: postcode: longer than 16 characters
pupils.csv:12: date_of_birth: not a plausible date for a pupil
pupils.csv:13: leaving_date: before the admission date
pupils.csv:4: upn: check letter is A, expected B
pupils.csv:5: sex: must be M, F or U
pupils.csv:6: nc_year: must be N1, N2, R or 1..14
pupils.csv:7: sen: must be N, K or E
pupils.csv:8: social_care: must be empty, CIN, CPP or CLA
pupils.csv:9: surname: not valid UTF-8 (byte 5)
LIST
)
# The three window rules depend on today's date: checked by prefix.
for f in "$T/push.rej" "$T/raw.rej"; do
	assert_grep '^marks.csv:7: recorded_at: must be between ' "$f" "recorded_at out of range ($(basename "$f"))"
	assert_grep "^marks.csv:8: date: 2019-09-02 is before the register's retention window" "$f" "date before retention ($(basename "$f"))"
	assert_grep '^marks.csv:9: date: 2027-01-04 is in the future' "$f" "date in the future ($(basename "$f"))"
	got=$(grep -vE '^marks.csv:[789]: ' "$f" | sort)
	assert_eq "$got" "$(echo "$want" | sort)" "every rule's message ($(basename "$f"))"
done
assert_eq "$(cat "$T/push.rej")" "$(cat "$T/raw.rej")" "push and daemon give the same messages for the same rows"
for u in 123456 123457; do
	assert_eq "$(psql_val "select count(*) from pupil where school_urn = $u")" 2 "the good pupils landed ($u)"
	assert_eq "$(psql_val "select count(*) from mark_version where school_urn = $u")" 2 "the good marks landed ($u)"
	assert_eq "$(psql_val "select count(*) from contact where school_urn = $u")" 1 "the good contact landed ($u)"
done
daemon_stop
