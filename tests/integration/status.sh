#!/usr/bin/env bash
# rollcall status in each state it reports: healthy (exit 0, nothing needs a person), a school
# that has never pushed or not for over 26 hours, unmarked sessions, a dead job, a job no worker
# takes, the daemon down; the same in --json for monitoring. The daemon is asked over CURVE with
# its own key pair (read from the server key file).
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
A=100301 B=100302
school_with_key $A 2013001 primary 201

mkdir -p "$T/a"
cat >"$T/a/pupils.csv" <<'CSV'
upn,surname,forename,date_of_birth,sex,nc_year,admission_date
B801200005001,Testperson,Alpha,2016-05-04,F,4,2026-09-01
M80120000500A,Testperson,Beta,2017-01-12,M,3,2026-09-01
CSV
echo "date,session,open" >"$T/a/calendar.csv"
echo "upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason" >"$T/a/marks.csv"
for d in 2026-11-16 2026-11-17 2026-11-18 2026-11-19 2026-11-20 2026-11-23 2026-11-24 2026-11-25 2026-11-26 2026-11-27; do
	for s in AM PM; do
		echo "$d,$s,Y" >>"$T/a/calendar.csv"
		for u in B801200005001 M80120000500A; do
			c=/; [ $s = PM ] && c='\'
			echo "$u,$d,$s,$c,,${d}T09:00:00Z,A. Teacher (Class teacher)," >>"$T/a/marks.csv"
		done
	done
done
daemon_start
push $A "$T/a"
assert_eq "$PUSH_STATUS" 0 "school A pushed"
"$RC_BIN_WORKER" -c "$RC_CONF" --once --name w1 >>"$T/worker.log" 2>&1
"$RC_BIN_ADMIN" retention >/dev/null

status() { # [args]: rollcall status into $T/status.out, its exit status in $STATUS
	set +e
	"$RC_BIN_ADMIN" -c "$RC_CONF" status "$@" >"$T/status.out" 2>&1
	STATUS=$?
	set -e
}

# ---- healthy -----------------------------------------------------------------------------------
status
cat "$T/status.out"
assert_eq "$STATUS" 0 "healthy: exit 0"
assert_grep "^daemon: reachable at tcp://127.0.0.1:$RC_PORT \(answered in [0-9]+ ms; reads messages up to [0-9]+ bytes\)" "$T/status.out" "the daemon answers its CURVE hello"
assert_grep "^schema: version [0-9]+, as this rollcall expects" "$T/status.out" "the schema version"
assert_grep "^queue: 0 pending \(0 waiting for a worker\), 0 running, 0 dead" "$T/status.out" "the queue"
assert_grep "^  recompute|^reports:" "$T/status.out" "the reports section"
assert_grep "^$A +2  [0-9-]+ [0-9:]+ +[0-9]+ +0 +[0-9]+ +0 +0  2026-11-27 Test school $A$" "$T/status.out" "the school: on roll, last batch, no rejection, no unmarked session, results as of its last day"
assert_grep "^retention: last run" "$T/status.out" "what retention did"
assert_grep "^attention: nothing needs a person" "$T/status.out" "nothing needs a person"
status --json
assert_eq "$STATUS" 0 "healthy --json: exit 0"
assert_grep '^\{"attention_needed":false,"attention":\[\],"daemon":\{"state":"reachable"' "$T/status.out" "JSON: healthy"
assert_grep "\"schools\":\[\{\"school_urn\":$A,\"name\":\"Test school $A\",\"on_roll\":2," "$T/status.out" "JSON: the school"
assert_grep '"unmarked_last4w":0,"results_as_of":"2026-11-27","pushed_recently":true' "$T/status.out" "JSON: its figures"
[ "$(wc -l <"$T/status.out")" = 1 ] || rc_fail "the JSON is not one line"
json_ok() { ! command -v python3 >/dev/null || python3 -m json.tool "$T/status.out" >/dev/null || rc_fail "--json printed something that is not JSON"; }
json_ok

# ---- a school that never pushed; one that has not for over 26 hours --------------------------------
school_with_key $B 2013002 primary 201
status
assert_eq "$STATUS" 1 "a school that never pushed: exit 1"
assert_grep "^$B +0  never .*\[NOT PUSHED\]$" "$T/status.out" "it is marked in the table"
assert_grep "^  - school $B has never pushed$" "$T/status.out" "and listed under attention"
status --school $A
assert_eq "$STATUS" 0 "--school: only that school's state counts"
psql_val "update batch set received_at = now() - interval '30 hours' where school_urn = $A" >/dev/null
status --school $A
assert_eq "$STATUS" 1 "not pushed for 30 hours: exit 1"
assert_grep "^  - school $A has not pushed for over 26 hours \(last batch [0-9-]+ [0-9:]+\)$" "$T/status.out" "says when it last pushed"
status --school $A --not-pushed-hours 48
assert_eq "$STATUS" 0 "--not-pushed-hours 48: 30 hours is fine"
psql_val "update batch set received_at = now() where school_urn = $A" >/dev/null

# ---- unmarked sessions ---------------------------------------------------------------------------
printf '2026-11-30,AM,Y\n2026-11-30,PM,Y\n' >>"$T/a/calendar.csv"
echo "B801200005001,2026-11-30,AM,/,,2026-11-30T09:00:00Z,A. Teacher (Class teacher)," >>"$T/a/marks.csv"
push $A "$T/a"
"$RC_BIN_WORKER" -c "$RC_CONF" --once --name w1 >>"$T/worker.log" 2>&1
status --school $A
assert_eq "$STATUS" 1 "unmarked sessions: exit 1"
assert_grep "^  - school $A has 3 unmarked sessions in its last four school weeks$" "$T/status.out" "the registers to chase"

# ---- a dead job, a job no worker takes --------------------------------------------------------------
psql_val "insert into job (school_urn, kind, state, attempts, last_error) values ($A, 'recompute', 'dead', 5, 'school $A: the register could not be read')" >/dev/null
psql_val "insert into job (kind, args, run_after) values ('cohorts', '', now() - interval '2 hours')" >/dev/null
status
assert_eq "$STATUS" 1 "a dead job: exit 1"
assert_grep "^queue: 1 pending \(1 waiting for a worker, the oldest for 1[0-9]{2} min\), 0 running, 1 dead" "$T/status.out" "the queue counts them"
assert_grep "^  dead job [0-9]+ recompute school $A at .* after 5 attempts: school $A: the register could not be read$" "$T/status.out" "the dead job with its error"
assert_grep "^  - job [0-9]+ \(recompute, school $A\) is dead: school $A: the register could not be read$" "$T/status.out" "under attention"
assert_grep "^  - the oldest job has waited 1[0-9]{2} minutes for a worker: are the workers running\?$" "$T/status.out" "a queue nobody takes"
status --json
assert_grep '"dead_jobs":\[\{"job":[0-9]+,"kind":"recompute","school_urn":'"$A"',"at":"[^"]+","attempts":5,"error":"school '"$A"': the register could not be read"\}\]' "$T/status.out" "JSON: the dead job"
json_ok

# ---- the daemon down -----------------------------------------------------------------------------
daemon_stop
status --school $A
assert_eq "$STATUS" 1 "the daemon down: exit 1"
assert_grep "^daemon: NOT REACHABLE at tcp://127.0.0.1:$RC_PORT: no answer from tcp://127.0.0.1:$RC_PORT within 3000 ms" "$T/status.out" "says the daemon does not answer"
assert_grep "^  - rollcalld is not reachable at " "$T/status.out" "under attention"
status --json --school $A
assert_grep '"daemon":\{"state":"unreachable","endpoint":"tcp://127.0.0.1:'"$RC_PORT"'"' "$T/status.out" "JSON: unreachable"
# Without the server key file, the daemon cannot be asked: said, and it needs a person.
chmod 000 "$T/keys/server.key"
status --school $A
chmod 600 "$T/keys/server.key"
if [ "$(id -u)" != 0 ]; then
	assert_grep "^daemon: not checked at .*: cannot read the server key file to ask" "$T/status.out" "an unreadable server key: not checked"
fi
