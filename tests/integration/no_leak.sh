#!/usr/bin/env bash
# No personal data leaks through errors (issue 9 item 6). Real rows carrying sentinel names are
# made to fail in the database, where PostgreSQL's DETAIL line quotes them ("Failing row
# contains (...)"): a pupil and a mark in rollcalld's commit, a store in rollcall-worker's job,
# a row of the admin command. Every log, ack (rollcall-push's output), job error and stored
# message is then searched for the sentinels.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
SENT='Qz[uvwxy]'  # every sentinel below starts with Qz and one of these letters
school_with_key 123456 2014001 primary 201
mkdir -p "$T/x"
cat >"$T/x/pupils.csv" <<'CSV'
upn,surname,forename,date_of_birth,sex,nc_year,admission_date,address_line1,town,postcode
B801200005001,Qzxsentinel,Qzyforename,2016-05-04,F,4,2024-09-02,1 Qzwaddress Road,Qzutown,AB1 2CD
CSV
cat >"$T/x/marks.csv" <<'CSV'
upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason
B801200005001,2024-09-02,AM,/,,2024-09-02T08:50:00+01:00,Qzvrecorder (Class teacher),
B801200005001,2024-09-02,PM,/,,2024-09-02T13:15:00+01:00,Qzvrecorder (Class teacher),
CSV

# 1. rollcalld: the admission register refuses the pupil (the merge's INSERT ... ON CONFLICT).
psql_val "alter table pupil add constraint test_refuse_sentinel check (surname not like 'Qzx%')" >/dev/null
daemon_start
push 123456 "$T/x"
cp "$T/push.err" "$T/push1.err"; cp "$T/push.out" "$T/push1.out"
assert_eq "$PUSH_STATUS" 4 "a batch the database cannot store is refused"
assert_grep "could not store this batch" "$T/push1.err" "the school is told the batch was not stored"
assert_grep 'could not be stored \(database: new row for relation "pupil" violates check constraint "test_refuse_sentinel"\)' \
	"$T/daemon.log" "the daemon's log names the constraint"

# 2. rollcalld: the register refuses the marks (the binary COPY into mark_version).
psql_val "alter table pupil drop constraint test_refuse_sentinel;
          alter table mark_version add constraint test_refuse_recorder check (recorded_by not like 'Qzv%')" >/dev/null
touch "$T"/x/*.csv  # a new night's export with the same rows (an unchanged one is not read again)
push 123456 "$T/x"
cp "$T/push.err" "$T/push2.err"; cp "$T/push.out" "$T/push2.out"
assert_eq "$PUSH_STATUS" 4 "a batch whose marks the register refuses is refused"
assert_grep "could not store this batch" "$T/push2.err" "the school is told the batch was not stored"
assert_grep 'violates check constraint "test_refuse_recorder"' "$T/daemon.log" "the daemon's log names the constraint"
assert_eq "$(psql_val "select count(*) from mark_version")" "0" "no mark of the refused batch is stored"

# The same rows land once nothing refuses them (so the rows themselves were good).
psql_val "alter table mark_version drop constraint test_refuse_recorder" >/dev/null
touch "$T"/x/*.csv
push 123456 "$T/x"
assert_eq "$PUSH_STATUS" 0 "the same export lands once the constraint is gone"
daemon_stop

# 3. rollcall-worker: the school's store fails on a row the database cannot take. A trigger
# (in its own schema, as a DBA's would be) refuses per-enrolment rows with the pupil's names in
# DETAIL, then with a data exception quoting the surname in its message.
psql -X -q -v ON_ERROR_STOP=1 <<-'SQL'
	create schema leaktest;
	create function leaktest.refuse_detail() returns trigger language plpgsql security definer as $$
	begin
	    raise exception 'forced store failure' using errcode = 'check_violation',
	        detail = (select format('Failing row contains (%s, %s, %s)', surname, forename, address_line1)
	                    from public.pupil where pupil_id = new.pupil_id);
	end $$;
	create function leaktest.refuse_data() returns trigger language plpgsql security definer as $$
	begin
	    raise exception using errcode = 'invalid_text_representation',
	        message = (select format('invalid input syntax for type date: "%s"', surname)
	                     from public.pupil where pupil_id = new.pupil_id);
	end $$;
	create trigger leaktest_refuse before insert on enrolment_result
	    for each row execute function leaktest.refuse_detail();
SQL
"$RC_BIN_WORKER" -c "$RC_CONF" --once --name leak1 >>"$T/worker.log" 2>&1
assert_eq "$(psql_val "select state from job where kind = 'recompute'")" "pending" "the failed job waits for a retry"
assert_grep "forced store failure" <(psql_val "select last_error from job where kind = 'recompute'") "the job error says what failed"
# The server's own log records a data exception's message as it is (no client setting changes
# that): it is searched up to here, where only DETAIL lines could have carried the names.
cp "$T/pg/log" "$T/server-before-data-exception.log"
psql_val "drop trigger leaktest_refuse on enrolment_result;
          create trigger leaktest_refuse before insert on enrolment_result
              for each row execute function leaktest.refuse_data();
          update job set run_after = now()" >/dev/null
"$RC_BIN_WORKER" -c "$RC_CONF" --once --name leak2 >>"$T/worker.log" 2>&1
assert_grep "invalid data \(SQLSTATE 22P02\)" <(psql_val "select last_error from job where kind = 'recompute'") "a data exception is named by its SQLSTATE"

# 4. The admin command: a row refused by a check constraint (DETAIL would quote it).
if "$RC_BIN_ADMIN" school add --urn 123457 --laestab 2014002 --name "Qzxsentinel Academy" \
	--phase primary --la 202 >"$T/admin.out" 2>"$T/admin.err"; then
	rc_fail "a school outside its LA was registered"
fi
assert_grep 'violates check constraint "school_check"' "$T/admin.err" "the admin command names the constraint"

# Everything a person or program could read afterwards.
psql_val "select coalesce(string_agg(last_error, ' '), '') || ' ' || coalesce(string_agg(result, ' '), '') || ' ' ||
                 coalesce(string_agg(progress, ' '), '') from job" >"$T/jobs.txt"
psql_val "select coalesce(string_agg(encode(ack, 'escape'), ' '), '') from batch" >"$T/acks.txt"
psql_val "select coalesce(string_agg(reason, ' '), '') from rejected_item" >"$T/rejections.txt"
found=0
for f in "$T"/push1.* "$T"/push2.* "$T/daemon.log" "$T/worker.log" "$T/admin.out" "$T/admin.err" \
	"$T/jobs.txt" "$T/acks.txt" "$T/rejections.txt" "$T/server-before-data-exception.log"; do
	[ -f "$f" ] || rc_fail "$f missing"
	if grep -E "$SENT" "$f"; then
		echo "^^^ in $f" >&2
		found=1
	fi
done
[ $found = 0 ] || rc_fail "personal data reached a log, an ack or an error"
echo "ok - no sentinel in logs, acks, job errors, stored messages or the server's log"
# The searches are not empty: the failures above are in them, by constraint and SQLSTATE.
assert_grep "test_refuse_recorder" "$T/daemon.log" "the daemon logged the failure"
assert_grep "forced store failure" "$T/worker.log" "the worker logged the failure"
