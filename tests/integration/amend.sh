#!/usr/bin/env bash
# An amended mark keeps its history (original and amended versions with who, when and why);
# a change without a reason is rejected with file, line, field and reason; an identical
# resend of an old version does not count as a change; changed pupil details hold from
# rollcall-push --exported-on.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
school_with_key 123456 2014001 primary 201
mkdir -p "$T/x"
cat >"$T/x/pupils.csv" <<'CSV'
upn,surname,forename,date_of_birth,sex,nc_year,admission_date
B801200005001,Testperson,Alpha,2016-05-04,F,4,2024-09-02
M80120000500A,Testperson,Beta,2017-01-12,M,3,2024-09-02
CSV
cat >"$T/x/marks.csv" <<'CSV'
upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason
B801200005001,2024-09-02,AM,N,,2024-09-02T08:50:00+01:00,A. Teacher (Class teacher),
B801200005001,2024-09-02,PM,/,,2024-09-02T13:15:00+01:00,A. Teacher (Class teacher),
M80120000500A,2024-09-02,AM,L,12,2024-09-02T08:50:00+01:00,A. Teacher (Class teacher),
CSV
daemon_start
push 123456 "$T/x"
assert_eq "$PUSH_STATUS" 0 "first push accepted"

# The office recodes N as illness, with a reason; a teacher changes PM without one.
cat >>"$T/x/marks.csv" <<'CSV'
B801200005001,2024-09-02,AM,I,,2024-09-04T10:02:00+01:00,B. Office (Attendance officer),Parent phoned: illness
B801200005001,2024-09-02,PM,O,,2024-09-04T10:05:00+01:00,B. Office (Attendance officer),
CSV
push 123456 "$T/x"
assert_eq "$PUSH_STATUS" 1 "push with a rejected row exits 1"
assert_grep "^marks.csv:6: amendment_reason: required to change the current mark \('/' to 'O'\)" "$T/push.err" "change without reason rejected by line and field"
assert_eq "$(psql_val "select string_agg(version || ':' || code || ':' || coalesce(amendment_reason, '-') || ':' || recorded_by, ' | ' order by version)
  from mark_version m join pupil p using (school_urn, pupil_id) where p.upn = 'B801200005001' and m.session = 0")" \
  "1:N:-:A. Teacher (Class teacher) | 2:I:Parent phoned: illness:B. Office (Attendance officer)" "history keeps original and amendment with who and why"
assert_eq "$(psql_val "select code from mark_current m join pupil p using (school_urn, pupil_id) where p.upn = 'B801200005001' and m.session = 0")" "I" "the current mark is the amendment"
assert_eq "$(psql_val "select to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') from mark_version where version = 2")" "2024-09-04 09:02" "when the amendment was made"
assert_eq "$(psql_val "select count(*) from rejected_item where field = 'amendment_reason' and line = 6")" "1" "rejection stored for the school"

# The register refuses edits in place.
if psql -X -q -c "update mark_version set code = 'O'" 2>"$T/upd.err"; then rc_fail "update allowed"; fi
assert_grep "append-only" "$T/upd.err" "UPDATE of the register refused"
if psql -X -q -c "delete from mark_version" 2>"$T/del.err"; then rc_fail "delete allowed"; fi
assert_grep "append-only" "$T/del.err" "DELETE from the register refused"

# Resending the whole file (with the rejected row removed) changes nothing.
sed -i '$d' "$T/x/marks.csv"
before=$(psql_val "select count(*) from mark_version")
push 123456 "$T/x"
assert_eq "$PUSH_STATUS" 0 "resend accepted"
assert_eq "$(psql_val "select count(*) from mark_version")" "$before" "an identical resend creates no version"

# Changed pupil details hold from --exported-on; without it, from the newest file's day, so a
# copied folder dates its changes today.
mkdir -p "$T/y"
cat >"$T/y/pupils.csv" <<'CSV'
upn,surname,forename,date_of_birth,sex,nc_year,admission_date,fsm
B801200005001,Testperson,Alpha,2016-05-04,F,4,2024-09-02,Y
M80120000500A,Testperson,Beta,2017-01-12,M,3,2024-09-02,N
CSV
echo 'upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason' >"$T/y/marks.csv"
fsm_from() { psql_val "select string_agg(valid_from || ':' || fsm, ' ' order by valid_from) from pupil_characteristic c join pupil p using (school_urn, pupil_id) where p.upn = '$1'"; }
push 123456 "$T/y" --exported-on 2024-10-01
assert_eq "$PUSH_STATUS" 0 "an export dated by --exported-on"
assert_eq "$(fsm_from B801200005001)" "2024-09-02:false 2024-10-01:true" "the change holds from --exported-on"
cp -r "$T/y" "$T/z"
sed -i 's/,N$/,Y/' "$T/z/pupils.csv"
push 123456 "$T/z"
assert_eq "$(fsm_from M80120000500A)" "2024-09-02:false $(date -u +%F):true" "without it, a copied folder's change holds from today"
push 123456 "$T/y" --exported-on "$(date -u -d tomorrow +%F)"
assert_eq "$PUSH_STATUS" 2 "a date after today is refused"
assert_grep "exported-on: .* is not a date" "$T/push.err" "... saying why"
daemon_stop
