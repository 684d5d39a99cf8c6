#!/usr/bin/env bash
# Least privilege (issue 9 items 1 and 2). The migrations make rollcall_owner own every object;
# "rollcall migrate" refuses an object lib/grants.c does not classify; each program connects
# with its own role and works with it; and every forbidden action, tried as each role's login
# (UPDATE, DELETE, TRUNCATE of the register and of a partition, ALTER/DISABLE TRIGGER, DROP,
# reading pupils' names as reporting, ...), is refused. The owner itself cannot change or empty
# the register or one of its partitions: the triggers refuse.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure

# --- ownership and classification -----------------------------------------------------------
assert_eq "$(psql_val "select coalesce(string_agg(relname, ' '), 'none') from pg_class
  where relnamespace = 'public'::regnamespace and relkind in ('r', 'p', 'v', 'm', 'S', 'f')
    and relowner <> 'rollcall_owner'::regrole")" "none" "rollcall_owner owns every table, partition, view and sequence"
assert_eq "$(psql_val "select coalesce(string_agg(proname, ' '), 'none') from pg_proc
  where pronamespace = 'public'::regnamespace and proowner <> 'rollcall_owner'::regrole")" "none" "rollcall_owner owns every function"
assert_eq "$(psql_val "select count(*) from pg_proc where pronamespace = 'public'::regnamespace
  and prosecdef and not coalesce(array_to_string(proconfig, ' ') like '%search_path=%', false)")" "0" \
	"every SECURITY DEFINER function fixes its search_path"
assert_eq "$(psql_val "select count(*) from pg_proc where pronamespace = 'public'::regnamespace
  and has_function_privilege('public', oid, 'EXECUTE')")" "0" "PUBLIC may execute no function"

psql -X -q -U t_owner -v ON_ERROR_STOP=1 -c "create table stray (id integer)" \
	-c "create function stray_fn(integer) returns integer language sql return 1"
if "$RC_BIN_ADMIN" migrate >"$T/migrate.out" 2>"$T/migrate.err"; then
	rc_fail "migrate finished with unclassified objects"
fi
assert_grep "not classified: FUNCTION stray_fn\(integer\), TABLE stray \(lib/grants.c" "$T/migrate.err" \
	"migrate refuses and names every unclassified object"
psql -X -q -U t_owner -c "drop table stray" -c "drop function stray_fn(integer)"
assert_grep "schema at version" <("$RC_BIN_ADMIN" migrate) "migrate finishes once every object is classified"

# --- each program works with its own role ------------------------------------------------------
school_with_key 123456 2014001 primary 201
mkdir -p "$T/x"
cat >"$T/x/pupils.csv" <<'CSV'
upn,surname,forename,date_of_birth,sex,nc_year,admission_date,address_line1,postcode
B801200005001,Testperson,Alpha,2016-05-04,F,4,2024-09-02,1 Test Road,AB1 2CD
M80120000500A,Testperson,Beta,2017-01-12,M,3,2024-09-02,2 Test Road,AB1 2CD
CSV
cat >"$T/x/contacts.csv" <<'CSV'
upn,name,relationship,lives_with,phone,priority
B801200005001,Testparent Gamma,Mother,Y,01234 567890,1
CSV
cat >"$T/x/calendar.csv" <<'CSV'
date,session,open
2024-09-02,AM,Y
2024-09-02,PM,Y
CSV
cat >"$T/x/marks.csv" <<'CSV'
upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason
B801200005001,2024-09-02,AM,N,,2024-09-02T08:50:00+01:00,A. Teacher,
B801200005001,2024-09-02,PM,/,,2024-09-02T13:15:00+01:00,A. Teacher,
M80120000500A,2024-09-02,AM,L,12,2024-09-02T08:50:00+01:00,A. Teacher,
CSV
daemon_start
assert_eq "$(psql_val "select string_agg(distinct usename, ' ') from pg_stat_activity where application_name = 'rollcalld'")" \
	"t_daemon" "rollcalld connects as its own login (daemon_conninfo)"
push 123456 "$T/x"
assert_eq "$PUSH_STATUS" 0 "rollcalld stores pupils, contacts, calendar and marks as rollcall_daemon"
# A resend with changes exercises the merge's UPDATEs and the contact replacement.
sed -i 's/1 Test Road/1 New Road/; s/,4,2024/,5,2024/' "$T/x/pupils.csv"
sed -i 's/01234 567890/01234 000000/' "$T/x/contacts.csv"
sed -i 's/^2024-09-02,PM,Y/2024-09-02,PM,N/' "$T/x/calendar.csv"
echo "B801200005001,2024-09-02,AM,I,,2024-09-03T10:00:00+01:00,B. Office,Parent phoned" >>"$T/x/marks.csv"
push 123456 "$T/x"
assert_eq "$PUSH_STATUS" 0 "an amended export lands: pupil, characteristic, contact and calendar updated"
assert_eq "$(psql_val "select address_line1 || ' ' || (select count(*) from pupil_characteristic) || ' ' ||
  (select phone from contact) || ' ' || (select count(*) from school_session where open) || ' ' ||
  (select count(*) from mark_version) from pupil where upn = 'B801200005001'")" \
	"1 New Road 3 01234 000000 1 4" "every change of the amended export is stored"
daemon_stop

"$RC_BIN_WORKER" -c "$RC_CONF" --name roles >>"$T/worker.log" 2>&1 &
RC_EXTRA_PIDS=$!
end=$((SECONDS + 60))
until [ "$(psql_val "select count(*) from job where kind = 'recompute' and state = 'done'")" = 1 ]; do
	[ $SECONDS -lt $end ] || rc_fail "the worker did not finish the recompute job"
	sleep 0.05
done
assert_eq "$(psql_val "select string_agg(distinct usename, ' ') from pg_stat_activity where application_name like 'rollcall-worker %'")" \
	"t_worker" "rollcall-worker connects as its own login (worker_conninfo)"
assert_eq "$(psql_val "select count(*) from school_result")" "1" "the worker stores results as rollcall_worker"
"$RC_BIN_ADMIN" report cohorts --as-of 2024-09-02 --timeout 60 >"$T/report.out"
assert_grep "cohorts.csv" "$T/report.out" "rollcall report queues a job and a worker writes the breakdown"
kill -TERM $RC_EXTRA_PIDS; wait $RC_EXTRA_PIDS || true
RC_EXTRA_PIDS=

# Each admin command uses its own key: it works with only that key usable, and fails without it.
ROLES=(owner worker reporting)
only() { # only ROLE CMD...: runs the admin command with every other program's key unusable
	local role=$1 r
	shift
	local envs=()
	for r in "${ROLES[@]}"; do
		[ "$r" = "$role" ] && continue
		envs+=("ROLLCALL_DATABASE_${r^^}_CONNINFO=$RC_CONNINFO user=t_nobody")
	done
	env "${envs[@]}" "$RC_BIN_ADMIN" "$@"
}
without() { # without ROLE CMD...: runs the admin command with ROLE's key unusable
	local role=$1
	shift
	env "ROLLCALL_DATABASE_${role^^}_CONNINFO=$RC_CONNINFO user=t_nobody" "$RC_BIN_ADMIN" "$@"
}
printf 'school_urn,laestab,name,phase,la_code,la_name\n123457,2014002,Test school 2,primary,201,LA 201\n' >"$T/trust.csv"
"$RC_BIN_ADMIN" key new --out "$T/keys/second.key" >/dev/null
while IFS='|' read -r role cmd; do
	read -r -a args <<<"$cmd"
	status=0
	only "$role" "${args[@]}" >"$T/cmd.out" 2>"$T/cmd.err" || status=$?
	# rollcall status exits 1 when something needs a person (here: no daemon it could ask);
	# what it read as the reporting role it still printed.
	if [ "$status" = 1 ] && [ "${args[0]}" = status ] && grep -q '^attention:' "$T/cmd.out" &&
		! grep -q 'could not be read\|cannot be reached' "$T/cmd.out"; then
		status=0
	fi
	[ "$status" = 0 ] ||
		{ cat "$T/cmd.err" >&2; rc_fail "'rollcall $cmd' failed with only ${role}_conninfo"; }
	if without "$role" "${args[@]}" >"$T/cmd.out" 2>"$T/cmd.err"; then
		rc_fail "'rollcall $cmd' worked without ${role}_conninfo"
	fi
	grep -q 't_nobody' "$T/cmd.err" || { cat "$T/cmd.err" >&2; rc_fail "'rollcall $cmd' failed for another reason"; }
	echo "ok - rollcall $cmd uses ${role}_conninfo"
done <<EOF
owner|migrate
owner|school add --urn 123458 --laestab 2014003 --name Test --phase primary --la 201
owner|school import $T/trust.csv
owner|key add --school 123457 --file $T/keys/second.key
owner|key revoke --file $T/keys/second.key
owner|benchmark import $ROLLCALL_SRC/deploy/benchmarks.csv
worker|report cohorts --no-wait
reporting|status
reporting|jobs --all
reporting|school list
reporting|key list
reporting|benchmark list
EOF
assert_grep "^total +2 " <("$RC_BIN_ADMIN" status || true) "rollcall status counts pupils as rollcall_reporting"

# --- forbidden actions, as each role's login ---------------------------------------------------
P=mark_version_2024
[ "$(psql_val "select count(*) from $P")" -gt 0 ] || rc_fail "no marks in $P to protect"
refused() { # refused ROLE SQL: the statement as ROLE's login must be refused
	local role=$1 sql=$2
	if psql -X -q -U "t_$role" -v ON_ERROR_STOP=1 -c "$sql" >"$T/refused.out" 2>&1; then
		rc_fail "$role may: $sql"
	fi
	grep -qE "permission denied|must be owner|append-only" "$T/refused.out" ||
		{ cat "$T/refused.out" >&2; rc_fail "$role: '$sql' failed, but not for want of privilege"; }
	echo "ok - $role may not: $sql ($(grep -oE 'permission denied[^"]*|must be owner|append-only' "$T/refused.out" | head -n 1))"
}
register_attacks=(
	"update mark_version set code = 'O'"
	"delete from mark_version"
	"truncate mark_version"
	"update $P set code = 'O'"
	"delete from $P"
	"truncate $P"
	"alter table mark_version disable trigger mark_version_append_only"
	"alter table $P disable trigger all"
	"drop trigger mark_version_no_truncate on $P"
	"alter table mark_version detach partition $P"
	"drop table $P"
	"drop table mark_version"
	"create table public.squat (id integer)"
	"select rollcall_year_partition(2030)"
	"select rollcall_ensure_years()"
	"truncate batch"
	"delete from batch"
	"truncate pupil"
	"drop table pupil"
)
for role in daemon worker reporting; do
	for sql in "${register_attacks[@]}"; do refused "$role" "$sql"; done
done
daemon_attacks=(
	"update pupil set upn = 'P201123456789'" "update pupil set school_urn = 123457"
	"update pupil set first_batch = 0" "delete from pupil" "delete from pupil_characteristic"
	"update batch set school_urn = 123457" "update batch set public_key = ''"
	"delete from rejected_item" "delete from register_change"
	"update register_change set from_date = '2000-01-01'" "update school_key set revoked_at = null"
	"insert into school_key (school_urn, public_key) values (123456, repeat('x', 40))"
	"update school set name = 'x'" "insert into la values (999, 'x')" "delete from job"
	"update job set state = 'done'" "select * from school_result" "select rollcall_retention()"
)
worker_attacks=(
	"insert into mark_version (school_urn, date, pupil_id, session, version, code, batch_no) values (123456, '2024-09-03', 1, 0, 1, '/', 1)"
	"insert into $P (school_urn, date, pupil_id, session, version, code, batch_no) values (123456, '2024-09-03', 1, 0, 1, '/', 1)"
	"update pupil set surname = 'x'" "delete from contact" "update school_session set open = true"
	"select * from batch" "select * from school_key" "update school set name = 'x'" "delete from job"
	"select rollcall_ensure_year(2024)"
)
reporting_attacks=(
	"select surname from pupil" "select forename, date_of_birth from pupil"
	"select address_line1, postcode from pupil" "select * from pupil" "select * from contact"
	"select * from pupil_characteristic" "select * from enrolment_result"
	"insert into job (kind) values ('cohorts')" "update job set state = 'dead'"
	"insert into mark_version (school_urn, date, pupil_id, session, version, code, batch_no) values (123456, '2024-09-03', 1, 0, 1, '/', 1)"
	"select rollcall_ensure_year(2024)" "select rollcall_retention()" "delete from school_result"
)
for sql in "${daemon_attacks[@]}"; do refused daemon "$sql"; done
for sql in "${worker_attacks[@]}"; do refused worker "$sql"; done
for sql in "${reporting_attacks[@]}"; do refused reporting "$sql"; done
# Even the owner cannot change or empty the register, through the parent or a partition.
owner_attacks=("update mark_version set code = 'O'" "delete from mark_version" "truncate mark_version"
	"update $P set code = 'O'" "delete from $P" "truncate $P")
for sql in "${owner_attacks[@]}"; do refused owner "$sql"; done
assert_eq "$(psql_val "select count(*) from mark_version")" "4" "the register is whole"

# And what reporting may read is enough for status (counts, not names).
assert_eq "$(psql -X -A -t -q -U t_reporting -c "select count(*) from pupil where leaving_date is null")" "2" \
	"reporting counts pupils on roll without reading their names"

# The daemon's unit does not migrate (it would need the owner's rights).
if grep -nE '^Exec[A-Za-z]*=.*migrate' "$ROLLCALL_SRC"/deploy/*.service; then
	rc_fail "a systemd unit runs rollcall migrate"
fi
echo "ok - no systemd unit runs migrate"
