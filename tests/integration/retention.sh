#!/usr/bin/env bash
# Years roll over by themselves (issue 9 item 3), around the real date: "rollcall retention"
# (as rollcall_worker) makes next year's partition ahead of time and drops exactly the whole
# academic years older than six years plus the current one, prunes register_change (so that a
# worker's incremental refresh still reloads from early enough) and finished jobs, records it
# all, and "rollcall status" shows it. Then a mark on 1 August of a year nobody made a
# partition for is ingested, not refused.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
school_with_key 123456 2014001 primary 201
school_with_key 123457 2014002 primary 201
AY=$(psql_val "select rollcall_academic_year(current_date)")
FIRST=$((AY - 6)) NEXT=$((AY + 1))
owner() { psql -X -q -A -t -U t_owner -v ON_ERROR_STOP=1 "$@"; }
parts() { psql_val "select string_agg(c.relname, ' ' order by c.relname) from pg_inherits i
  join pg_class c on c.oid = i.inhrelid where i.inhparent = 'mark_version'::regclass"; }
expected_parts() { local y out=; for y in $(seq "$1" "$2"); do out="$out mark_version_$y"; done; echo "${out# }"; }
assert_eq "$(parts)" "$(expected_parts $FIRST $NEXT)" "migrate made every year the register holds, and the next"

# Dated partitions: three years older than the register keeps, left from years ago, and a
# partition that is not a year of the register's (kept whatever its dates); a mark in each,
# and in the first and last years kept. Next year's partition was never made.
mark() { # mark DAY: one mark row, as the owner (the register takes appends from its owner)
	owner -c "insert into mark_version (school_urn, date, pupil_id, session, version, code, batch_no)
	          values (123456, '$1', 1, 0, 1, '/', 1)"
}
for y in $((AY - 9)) $((AY - 8)) $((AY - 7)); do
	owner -c "select rollcall_year_partition($y)" >/dev/null
	mark "$y-09-10"
done
owner -c "create table mark_version_archive partition of mark_version for values from ('1990-08-01') to ('2000-08-01')"
mark 1995-09-11
mark "$FIRST-08-01"
mark "$AY-09-01"
owner -c "drop table mark_version_$NEXT"

# register_change: three rows older than a week for school 123456 (ids in order), one recent;
# school 123457 only recent ones.
psql_val "insert into register_change (school_urn, from_date, changed_at) values
  (123456, '$AY-09-10', now() - interval '20 days'), (123456, '$AY-09-05', now() - interval '15 days'),
  (123456, '$AY-10-01', now() - interval '10 days'), (123456, '$AY-11-20', now() - interval '1 day'),
  (123457, '$AY-09-01', now() - interval '2 days')" >/dev/null
# For each change id K a worker may hold (given as "K K ..."), the earliest day its refresh of
# school 123456 reloads from ("-": nothing to reload).
reload_from() { psql_val "select string_agg(k || ':' || coalesce((select min(from_date) from register_change r
  where r.school_urn = 123456 and r.change_id > k)::text, '-'), ' ' order by k)
  from unnest('{$(echo "$1" | tr ' ' ',')}'::bigint[]) k"; }
ids="0 $(psql_val "select string_agg(change_id::text, ' ' order by change_id) from register_change")"
before=$(reload_from "$ids")
latest=$(psql_val "select string_agg(school_urn || ':' || m, ' ' order by school_urn)
  from (select school_urn, max(change_id) m from register_change group by 1) x")
# Jobs: done and dead, old and recent, and an old pending one.
psql_val "insert into job (kind, state, updated_at) values
  ('cohorts', 'done', now() - interval '8 days'), ('cohorts', 'done', now() - interval '1 day'),
  ('cohorts', 'dead', now() - interval '31 days'), ('cohorts', 'dead', now() - interval '10 days'),
  ('cohorts', 'pending', now() - interval '40 days')" >/dev/null

"$RC_BIN_ADMIN" retention >"$T/retention.out" 2>"$T/retention.err" ||
	{ cat "$T/retention.err" >&2; rc_fail "rollcall retention failed"; }
cat "$T/retention.out"
assert_eq "$(parts)" "$(expected_parts $FIRST $NEXT) mark_version_archive" \
	"the register holds exactly the years it keeps and the next (and what is not a year of it)"
for y in $((AY - 9)) $((AY - 8)) $((AY - 7)); do
	assert_grep "^retention: dropped mark_version_$y \(academic year $y/[0-9]{2}, older than six years plus the current one; rows: 1\)" \
		"$T/retention.out" "year $y dropped, logged with its rows"
done
assert_grep "^retention: created mark_version_$NEXT " "$T/retention.out" "next year's partition made ahead of time"
assert_eq "$(psql_val "select count(*) from mark_version")" "3" "the marks of the years kept are all there"
assert_eq "$(psql_val "select string_agg(action || ' ' || object || ' ' || rows, ', ' order by log_id) from maintenance_log")" \
	"run register 0, created mark_version_$NEXT 0, dropped mark_version_$((AY - 9)) 1, dropped mark_version_$((AY - 8)) 1, dropped mark_version_$((AY - 7)) 1, pruned register_change 2, pruned job 2" \
	"every action is kept in maintenance_log"

# The new partition is a partition of the register like the others.
assert_eq "$(psql_val "select count(*) from pg_trigger where tgrelid = 'mark_version_$NEXT'::regclass
  and tgname in ('mark_version_no_truncate', 'mark_version_append_only')")" "2" "the new partition has both triggers"
assert_eq "$(psql_val "select has_table_privilege('rollcall_daemon', 'mark_version_$NEXT', 'INSERT')::text ||
  has_table_privilege('rollcall_daemon', 'mark_version_$NEXT', 'TRUNCATE')::text ||
  has_table_privilege('rollcall_worker', 'mark_version_$NEXT', 'SELECT')::text ||
  pg_get_userbyid(relowner) from pg_class where relname = 'mark_version_$NEXT'")" "truefalsetruerollcall_owner" \
	"the new partition has its parent's privileges and owner"
if owner -c "truncate mark_version_$NEXT" 2>"$T/trunc.err"; then rc_fail "the new partition could be emptied"; fi
assert_grep "append-only" "$T/trunc.err" "TRUNCATE of the new partition refused"

# register_change: old rows folded, the latest change of every school unchanged, and for every
# change id a worker may hold, its refresh reloads from no later than before.
assert_eq "$(psql_val "select string_agg(school_urn || ':' || from_date, ' ' order by change_id) from register_change")" \
	"123456:$AY-09-05 123456:$AY-11-20 123457:$AY-09-01" "old changes folded into the newest old one, with the earliest date"
assert_eq "$(psql_val "select string_agg(school_urn || ':' || m, ' ' order by school_urn)
  from (select school_urn, max(change_id) m from register_change group by 1) x")" "$latest" "every school's latest change id is kept"
after=$(reload_from "$ids")
for k in $before; do
	id=${k%%:*} was=${k#*:}
	now=$(echo "$after" | tr ' ' '\n' | sed -n "s/^$id://p")
	# The refresh may start earlier than before (more work), never later (a missed change).
	if [ "$was" != - ] && { [ "$now" = - ] || [[ "$now" > "$was" ]]; }; then
		rc_fail "a worker holding change $id would reload from $now, not $was"
	fi
done
echo "ok - a worker holding any change id still reloads from early enough (before: $before; after: $after)"
assert_eq "$(psql_val "select string_agg(state || ':' || extract(day from now() - updated_at)::int, ' ' order by job_id) from job")" \
	"done:1 dead:10 pending:40" "done jobs a week old and dead ones 30 days old are pruned"

# rollcall status shows the register's years and what retention did.
"$RC_BIN_ADMIN" status >"$T/status.out" || true
cat "$T/status.out"
assert_grep "^register: academic years $FIRST/[0-9]{2} to $NEXT/[0-9]{2} \(8 partitions\); retention keeps $FIRST/[0-9]{2} onwards" \
	"$T/status.out" "status shows the register's years"
assert_grep "^retention: last run [0-9-]+ [0-9:]+: created mark_version_$NEXT; dropped mark_version_$((AY - 9)) \(rows: 1\); dropped mark_version_$((AY - 8)) \(rows: 1\); dropped mark_version_$((AY - 7)) \(rows: 1\); pruned register_change \(rows: 2\); pruned job \(rows: 2\)$" \
	"$T/status.out" "status shows what the last retention run did"

# The next day: nothing to do, nothing else dropped; status still shows the last drop.
"$RC_BIN_ADMIN" retention >"$T/retention2.out"
assert_grep "^retention: nothing to do" "$T/retention2.out" "a second run has nothing to do"
assert_eq "$(parts)" "$(expected_parts $FIRST $NEXT) mark_version_archive" "and drops nothing"
"$RC_BIN_ADMIN" status >"$T/status2.out" || true
assert_grep "^retention: last run .*: nothing to do$" "$T/status2.out" "status shows the quiet run"
assert_grep "^retention: last dropped mark_version_$((AY - 7)) \(rows: 1\) on " "$T/status2.out" "and the last year dropped"

# Ingest on 1 August of a year nobody made a partition for: the current year's and the last
# one's partitions are gone (as after an unattended year with no migrate and no retention); a
# push with marks on 31 July and 1 August lands, and both partitions are back, made by rollcalld.
owner -c "drop table mark_version_$AY" -c "drop table mark_version_$((AY - 1))"
mkdir -p "$T/x"
cat >"$T/x/pupils.csv" <<-CSV
	upn,surname,forename,date_of_birth,sex,nc_year,admission_date
	B801200005001,Testperson,Alpha,2016-05-04,F,4,$((AY - 1))-09-01
CSV
cat >"$T/x/marks.csv" <<-CSV
	upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason
	B801200005001,$AY-07-31,AM,/,,$AY-07-31T08:50:00+01:00,A. Teacher,
	B801200005001,$AY-08-01,AM,/,,$AY-08-01T08:50:00+01:00,A. Teacher,
CSV
daemon_start
push 123457 "$T/x"
[ "$PUSH_STATUS" = 0 ] || { cat "$T/push.err" >&2; rc_fail "the push on 1 August was not accepted (exit $PUSH_STATUS)"; }
echo "ok - a push with marks on 31 July and 1 August is accepted"
assert_eq "$(psql_val "select string_agg(tableoid::regclass || ' ' || date, ', ' order by date) from mark_version where school_urn = 123457")" \
	"mark_version_$((AY - 1)) $AY-07-31, mark_version_$AY $AY-08-01" "each mark in its year's partition"
assert_grep "made the partition of academic year $AY" "$T/daemon.log" "rollcalld made the missing partition"
assert_eq "$(psql_val "select count(*) from pg_trigger where tgrelid in ('mark_version_$AY'::regclass, 'mark_version_$((AY - 1))'::regclass)
  and tgname = 'mark_version_no_truncate'")" "2" "the partitions rollcalld made cannot be emptied"
daemon_stop
