#!/usr/bin/env bash
# The LA returns (domain.md §6) end to end from hand-built registers: each pupil below pins one
# rule, pushed through rollcall-push and rollcalld, computed by the workers and checked row by
# row in the files (expected values worked out by hand from the registers written here).
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure

# ---- UPNs (check letter per domain.md §9) and the calendar -------------------------------------
upn() { # LA(3) ESTAB(4) SERIAL(3): a valid permanent UPN
	echo "$1$2""24$3" | awk '{
		a = "ABCDEFGHJKLMNPQRTUVWXYZ"; s = 0
		for (i = 1; i <= 12; i++) s += substr($0, i, 1) * (i + 1)
		print substr(a, s % 23 + 1, 1) $0 }'
}
# School A: LA 201, primary (R..6). School B: LA 202, secondary.
A=100201 B=100202
school_with_key $A 2011234 primary 201
school_with_key $B 2025678 secondary 202

# Open school days from 4 Mar 2024 to 22 Jul 2025, weekdays, less the holidays; 4 Nov 2024 (an
# INSET day) and 5 May 2025 (a bank holiday) are listed closed.
holiday() {
	case $1 in
	2024-03-29 | 2024-04-0[1-9] | 2024-04-1[0-2] | 2024-05-06 | 2024-05-2[7-9] | 2024-05-3[01]) return 0 ;;
	2024-07-2[2-9] | 2024-07-3[01] | 2024-08-* | 2024-10-28 | 2024-10-29 | 2024-10-3[01] | 2024-11-01) return 0 ;;
	2024-12-2[3-9] | 2024-12-3[01] | 2025-01-0[1-3] | 2025-02-1[7-9] | 2025-02-2[01]) return 0 ;;
	2025-04-0[7-9] | 2025-04-1[0-9] | 2025-04-2[01] | 2025-05-2[6-9] | 2025-05-30) return 0 ;;
	esac
	return 1
}
cal=$T/calendar.csv
echo "date,session,open" >"$cal"
for i in $(seq 0 505); do
	d=$(date -d "2024-03-04 +$i days" +%F)
	dow=$(date -d "$d" +%u)
	[ "$dow" -le 5 ] || continue
	holiday "$d" && continue
	open=Y
	case $d in 2024-11-04 | 2025-05-05) open=N ;; esac
	echo "$d,AM,$open" >>"$cal"
	echo "$d,PM,$open" >>"$cal"
done

# marks SPEC...: "UPN DATE AM|PM TOKEN..." fills the open sessions from that one on; a token is a
# code (optionally *k) or "." for a session left unmarked. Writes marks.csv rows.
expand() {
	awk -F, -v spec="$1" 'NR > 1 && $3 == "Y" { d[n] = $1; s[n] = $2; n++ }
	END {
		k = split(spec, t, " "); upn = t[1]
		for (i = 0; i < n; i++) if (d[i] == t[2] && s[i] == t[3]) break
		if (i == n) { print "bad start " t[2] " " t[3] > "/dev/stderr"; exit 1 }
		for (j = 4; j <= k; j++) {
			c = t[j]; r = 1
			if (index(c, "*")) { r = substr(c, index(c, "*") + 1) + 0; c = substr(c, 1, index(c, "*") - 1) }
			for (m = 0; m < r; m++) {
				if (i >= n) { print "spec runs past the calendar: " spec > "/dev/stderr"; exit 1 }
				if (c != ".") printf "%s,%s,%s,%s,,%sT09:00:00Z,Class teacher,,\n", upn, d[i], s[i], c, d[i]
				i++
			}
		}
	}' "$cal"
}
rep() { local out=""; for _ in $(seq "$2"); do out="$out $1"; done; echo "$out"; }

mkdir -p "$T/a" "$T/b"
cp "$cal" "$T/a/calendar.csv"
cp "$cal" "$T/b/calendar.csv"
P='upn,surname,forename,date_of_birth,sex,nc_year,admission_date,leaving_date,leaving_reason,entered_on,previous_school,destination_school,destination_address,destination_start'
M='upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason,comment'
echo "$P" >"$T/a/pupils.csv"
echo "$M" >"$T/a/marks.csv"
echo "$P" >"$T/b/pupils.csv"
echo "$M" >"$T/b/marks.csv"
pupil() { # DIR SERIAL SURNAME NC_YEAR DOB ADMISSION [LEAVING REASON ENTERED PREVIOUS DEST...]
	local dir=$1 u
	u=$(upn "${dir_la[$dir]}" "${dir_estab[$dir]}" "$2")
	echo "$u,$3,Test,$5,F,$4,$6,${7:-},${8:-},${9:-},${10:-},${11:-},${12:-},${13:-}" >>"$T/$dir/pupils.csv"
	echo "$u"
}
declare -A dir_la=([a]=201 [b]=202) dir_estab=([a]=1234 [b]=5678)
marks() { expand "$2" >>"$T/$1/marks.csv"; }

# 1. a run broken by one present session at 19: no episode
p1=$(pupil a 001 Broken 5 2015-05-01 2023-09-04); marks a "$p1 2024-09-02 AM N*19 / N*5 /"
# 2. across a weekend, the October half-term and an INSET day: 20th session 11 Nov PM
p2=$(pupil a 002 Halfterm 5 2015-05-01 2023-09-04)
marks a "$p2 2024-10-21 AM N*10"; marks a "$p2 2024-11-05 AM N*10 /"
# 3. a Y4 session and a # inside: neither extends nor breaks; 20th N on 24 Sep AM
p3=$(pupil a 003 Closure 5 2015-05-01 2023-09-04); marks a "$p3 2024-09-09 AM N*6 Y4 Y4 # N*14 /"
# 4. the 20th session on the 1st of a month (1 Oct AM): October's, not September's
p4=$(pupil a 004 First 5 2015-05-01 2023-09-04); marks a "$p4 2024-09-17 PM N*20 /"
# 5. an episode still going on across two months: reported once, in October
p5=$(pupil a 005 Ongoing 5 2015-05-01 2023-09-04); marks a "$p5 2024-09-23 AM N*60"
# 6. a run from July continuing in September: one episode
p6=$(pupil a 006 Summer 5 2015-05-01 2023-09-04)
marks a "$p6 2024-07-15 AM N*10"; marks a "$p6 2024-09-02 AM N*10 /"
# 7. illness adding up to 30 sessions (every morning): FORECAST in September, REACHED in October
p7=$(pupil a 007 Cumulative 5 2015-05-01 2023-09-04); marks a "$p7 2024-09-02 AM $(rep 'I /' 30) /"
# 8. a continuous illness episode after a cumulative report: CONTINUOUS in November
p8=$(pupil a 008 Twice 5 2015-05-01 2023-09-04)
marks a "$p8 2024-09-02 AM $(rep 'I /' 30) /"; marks a "$p8 2024-11-11 AM I*30 /"
# 9. continuous and cumulative reach 30 in the same month: one row, CONTINUOUS
p9=$(pupil a 009 Both 5 2015-05-01 2023-09-04); marks a "$p9 2024-09-02 AM I*30 /"
# 10. an illness run of 12 still going on at the end of September: FORECAST
p10=$(pupil a 010 Forecast 5 2015-05-01 2023-09-04); marks a "$p10 2024-09-23 AM I*12 /"
# 11. a Reception child aged 4: not of compulsory school age, never listed
p11=$(pupil a 011 Young R 2020-03-10 2024-09-02); marks a "$p11 2024-09-02 AM N*20 / I*30 /"
# 12. an episode a recoded N dissolves (the amendment is pushed later)
p12=$(pupil a 012 Recoded 5 2015-05-01 2023-09-04); marks a "$p12 2024-09-02 AM N*20 /"
# 13. the junior intake: a Reception pupil admitted on the first day of the year is left out,
# one admitted later is not
p13a=$(pupil a 013 Intake R 2019-12-01 2024-09-02 "" "" 2024-07-01)
p13b=$(pupil a 014 Lateintake R 2019-12-01 2024-09-16 "" "" 2024-09-13 "Little Acorns Nursery")
# 14. a re-admitted pupil: left on 4 Oct, back on 11 Nov (entered 8 Nov); two spells kept; the
# N runs of the two spells never join
p14=$(pupil a 015 Readmit 5 2015-05-01 2023-09-04 2024-10-04 "Moved away" 2023-09-04 "" "Riverside School" '"1 Far Road, Elsewhere"' 2024-10-07)
pupil a 015 Readmit 5 2015-05-01 2024-11-11 "" "" 2024-11-08 "Riverside School" >/dev/null
marks a "$p14 2024-09-23 AM N*10"; marks a "$p14 2024-11-11 AM N*10 /"
# 15. a name beginning with "=": written so that no spreadsheet runs it
p16=$(pupil a 016 '=SUM(A1)' 5 2015-05-01 2023-09-04); marks a "$p16 2024-09-02 AM N*20 /"
# 16. a run the worker's window cuts: 10 N in March, nothing marked since, 10 N in September
p17=$(pupil a 017 Window 5 2015-05-01 2023-09-04)
marks a "$p17 2024-03-18 AM N*10"; marks a "$p17 2024-09-02 AM N*10 /"
# 17. the standard transition: year 6 leaving on the last day of the year is left out; year 4
# on that day, and year 6 leaving in May, are not
p19=$(pupil a 019 Transfer 6 2013-05-01 2023-09-04 2025-07-22 "End of primary")
p20=$(pupil a 020 Moving 4 2015-05-01 2023-09-04 2025-07-22 "Moved away")
p21=$(pupil a 021 Early 6 2013-05-01 2023-09-04 2025-05-23 "Moved away")
# 18. a pupil on two schools' rolls: each school reports its own enrolment to its own LA
x=$(upn 201 1234 099)
echo "$x,Dual,Test,2013-05-01,F,6,2023-09-04,,,,,,," >>"$T/a/pupils.csv"
echo "$x,Dual,Test,2013-05-01,F,7,2023-09-04,,,,,,," >>"$T/b/pupils.csv"
marks a "$x 2024-09-02 AM N*20 /"
expand "$x 2024-09-02 AM N*20 /" >>"$T/b/marks.csv"
q1=$(pupil b 001 Irregular 8 2012-05-01 2023-09-04); marks b "$q1 2024-09-02 AM N*20 $(rep '/' 22)"
q2=$(pupil b 002 Present 8 2012-05-01 2023-09-04); marks b "$q2 2024-09-02 AM $(rep '/' 42)"

# Causes: the latest comment on a mark of the episode.
awk -F, -v OFS=, -v u="$p2" '$1 == u && $2 == "2024-10-22" && $3 == "AM" { $9 = "visiting family" }
	$1 == u && $2 == "2024-11-06" && $3 == "PM" { $9 = "parent not answering" } { print }' \
	"$T/a/marks.csv" >"$T/m.csv" && mv "$T/m.csv" "$T/a/marks.csv"
# The re-admitted pupil's contacts: two parents and a grandparent they live with, one they do not.
cat >"$T/a/contacts.csv" <<CSV
upn,name,relationship,lives_with,address,phone,priority
$p14,Carer Two,Father,Y,"2 Home Street, Town",07700 900002,2
$p14,Carer One,Mother,Y,"2 Home Street, Town",07700 900001,1
$p14,Gran Test,Grandparent,Y,"2 Home Street, Town",07700 900003,3
$p14,Away Test,Father,N,"9 Other Street, Town",07700 900009,4
CSV

daemon_start
push $A "$T/a"
assert_eq "$PUSH_STATUS" 0 "school A's register stored, nothing rejected ($(head -c 300 "$T/push.err"))"
push $B "$T/b"
assert_eq "$PUSH_STATUS" 0 "school B's register stored"
assert_eq "$(psql_val "select count(*) from pupil_spell s join pupil p using (school_urn, pupil_id) where upn = '$p14'")" 2 "the re-admitted pupil keeps both spells"

"$RC_BIN_WORKER" -c "$RC_CONF" --name w1 >>"$T/worker.log" 2>&1 &
RC_EXTRA_PIDS="$!"
"$RC_BIN_ADMIN" la set 202 --irregular 25 --contact "Attendance Team" >/dev/null
returns() { "$RC_BIN_ADMIN" returns --la "$1" --month "$2" --timeout 120 >"$T/returns.out" || { cat "$T/returns.out"; tail -n 20 "$T/worker.log"; rc_fail "returns $1 $2 failed"; }; }
for m in 2024-09 2024-10 2024-11; do returns 201 $m; returns 202 $m; done
la=$T/out/la
att() { cat "$la/$1/$2/attendance-return.csv"; }
row() { # FILE UPN: the row of that pupil (fields after the school's four)
	grep -F ",$2," "$1" | cut -d, -f5-
}

# ---- the attendance return --------------------------------------------------------------------
f=$la/201/2024-09/attendance-return.csv
assert_eq "$(head -n 1 "$f")" "la_code,school_urn,school_laestab,school_name,upn,surname,forename,date_of_birth,nc_year,address,postcode,reason,episode_start,qualified_on,episode_sessions,ongoing,last_known_cause" "contract columns"
assert_eq "$(row "$f" "$p1")" "" "1: a run broken at 19 sessions is no episode"
assert_eq "$(row "$f" "$p3" | cut -d, -f8-)" "CONTINUOUS_UNAUTHORISED,2024-09-09,2024-09-24,20,N," "3: Y4 and # neither extend nor break"
assert_eq "$(row "$f" "$p4")" "" "4: the 20th session on 1 Oct is not September's"
assert_eq "$(row "$la/201/2024-10/attendance-return.csv" "$p4" | cut -d, -f8-)" "CONTINUOUS_UNAUTHORISED,2024-09-17,2024-10-01,20,N," "4: ... but October's"
assert_eq "$(row "$f" "$p6" | cut -d, -f8-)" "CONTINUOUS_UNAUTHORISED,2024-07-15,2024-09-06,20,N," "6: a run from July goes on in September"
assert_eq "$(row "$f" "$p17" | cut -d, -f8-)" "CONTINUOUS_UNAUTHORISED,2024-03-18,2024-09-06,20,N," "16: a run begun before the worker's window is not cut by it"
assert_eq "$(row "$f" "$p11")" "" "11: a child below compulsory school age is not listed"
assert_eq "$(grep -c "'=SUM(A1)" "$f")" 1 "15: a name beginning with = is written with a leading '"
assert_eq "$(row "$la/201/2024-10/attendance-return.csv" "$p5" | cut -d, -f8-)" "CONTINUOUS_UNAUTHORISED,2024-09-23,2024-10-04,50,Y," "5: an ongoing episode, sessions to the end of October"
assert_eq "$(row "$la/201/2024-11/attendance-return.csv" "$p5")" "" "5: ... reported once"
assert_grep "$p5" "$la/201/2024-11/index.html" "5: ... and shown open from an earlier month in November's page"
assert_eq "$(row "$la/201/2024-11/attendance-return.csv" "$p2" | cut -d, -f8-)" "CONTINUOUS_UNAUTHORISED,2024-10-21,2024-11-11,20,N,parent not answering" "2: across a weekend, half-term and an INSET day; the latest cause"
assert_eq "$(grep -cF "$p14" "$la/201/2024-10/attendance-return.csv" "$la/201/2024-11/attendance-return.csv" | awk -F: '{ s += $2 } END { print s }')" 0 "14: a re-admitted pupil's runs in two spells never join"
# 18: each school reports its own enrolment, each LA gets only its own schools' pupils.
assert_eq "$(row "$f" "$x" | cut -d, -f8-)" "CONTINUOUS_UNAUTHORISED,2024-09-02,2024-09-13,20,N," "18: the dual-registered pupil in LA 201's return"
assert_eq "$(grep -F ",$x," "$la/202/2024-09/attendance-return.csv" | grep CONTINUOUS | cut -d, -f1,2)" "202,$B" "18: ... and in LA 202's, by school B"
if grep -qF "$B" "$la"/201/*/*.csv; then rc_fail "LA 201's files hold a pupil of school B"; fi
if grep -qF ",$A," "$la"/202/*/*.csv; then rc_fail "LA 202's files hold a pupil of school A"; fi
echo "ok - each LA's files hold only its own schools' pupils"
# IRREGULAR: LA 202 asks for pupils absent 25% or more.
assert_eq "$(grep -F ",$q1," "$la/202/2024-09/attendance-return.csv" | grep IRREGULAR | cut -d, -f12-)" "IRREGULAR,,,,," "the LA's irregular-attendance threshold adds a pupil"
assert_eq "$(grep -cF ",$q2," "$la/202/2024-09/attendance-return.csv")" 0 "... and not one who attends"
assert_eq "$(grep -cF IRREGULAR "$la/201/2024-09/attendance-return.csv")" 0 "an LA without a threshold gets no IRREGULAR rows"

# ---- the sickness return ----------------------------------------------------------------------
s9=$la/201/2024-09/sickness-return.csv
assert_eq "$(head -n 1 "$s9")" "la_code,school_urn,school_laestab,school_name,upn,surname,forename,date_of_birth,nc_year,address,postcode,status,reason,illness_sessions_ytd,longest_illness_run,first_illness_date" "contract columns"
assert_eq "$(row "$s9" "$p7" | cut -d, -f8-)" "FORECAST,CUMULATIVE,21,1,2024-09-02" "7: 21 illness sessions by the end of September: FORECAST"
assert_eq "$(row "$la/201/2024-10/sickness-return.csv" "$p7" | cut -d, -f8-)" "REACHED,CUMULATIVE,30,1,2024-09-02" "7: the 30th in October: REACHED, CUMULATIVE"
assert_eq "$(row "$la/201/2024-11/sickness-return.csv" "$p8" | cut -d, -f8-)" "REACHED,CONTINUOUS,60,30,2024-09-02" "8: a continuous episode after a cumulative report"
assert_eq "$(row "$s9" "$p9" | cut -d, -f8-)" "REACHED,CONTINUOUS,30,30,2024-09-02" "9: continuous and cumulative in one month: one row, CONTINUOUS"
assert_eq "$(row "$s9" "$p10" | cut -d, -f8-)" "FORECAST,CONTINUOUS,12,12,2024-09-23" "10: an ongoing illness run of 12: FORECAST"
assert_eq "$(row "$la/201/2024-10/sickness-return.csv" "$p10")" "" "10: ... and nothing once it ended short"
assert_eq "$(grep -cF "$p11" "$la"/201/*/sickness-return.csv | awk -F: '{ s += $2 } END { print s }')" 0 "11: no sickness row below compulsory school age"

# ---- new pupils and deletions -----------------------------------------------------------------
n9=$la/201/2024-09/new-pupil-return.csv
returns 201 2024-07
n7=$la/201/2024-07/new-pupil-return.csv
assert_eq "$(grep -cF "$p13a" "$n7")" 0 "13: the junior intake on the first day is left out (entered in July)"
assert_eq "$(row "$n9" "$p13b" | cut -d, -f4-11,15)" ",F,2019-12-01,R,2024-09-16,2024-09-13,2024-09-18,Y,Little Acorns Nursery" "13: a later Reception admission is listed, due 5 days after entry, late"
assert_eq "$(row "$la/201/2024-10/deletion-return.csv" "$p14" | cut -d, -f8-)" \
	'2024-10-04,Moved away,Riverside School,"1 Far Road, Elsewhere",2024-10-07,Carer One,Mother,"2 Home Street, Town",07700 900001,Carer Two,Father,"2 Home Street, Town",07700 900002,Gran Test (Grandparent) 07700 900003' \
	"14: the first spell's deletion, with the parents the pupil lives with by priority"
assert_eq "$(row "$la/201/2024-11/new-pupil-return.csv" "$p14" | cut -d, -f8,9,10,15)" "2024-11-11,2024-11-08,2024-11-13,Riverside School" "14: the re-admission is a new entry"

# ---- regenerating ----------------------------------------------------------------------------
cp -r "$la/201/2024-09" "$T/sep-first"
returns 201 2024-09
diff -r "$T/sep-first" "$la/201/2024-09" >/dev/null || rc_fail "re-running a month without a register change is not byte-identical"
echo "ok - re-running a month gives byte-identical files"
# 12: an N recoded to present dissolves the episode; the page says what changed.
assert_eq "$(row "$f" "$p12" | cut -d, -f8,9)" "CONTINUOUS_UNAUTHORISED,2024-09-02" "12: an episode before the amendment"
mkdir -p "$T/amend"
cp "$T/a/pupils.csv" "$T/amend/"
printf '%s\n%s,2024-09-06,AM,/,,2024-09-20T10:00:00Z,Office manager,Letter from parent: was in school,\n' "$M" "$p12" >"$T/amend/marks.csv"
push $A "$T/amend"
assert_eq "$PUSH_STATUS" 0 "the amendment is stored"
returns 201 2024-09
assert_eq "$(row "$f" "$p12")" "" "12: the recoded N dissolves the episode on regeneration"
assert_grep "no longer listed" "$la/201/2024-09/index.html" "12: the page says the row went"
assert_grep "$p12" "$la/201/2024-09/index.html" "12: ... naming the pupil"
# The junior intake on request.
"$RC_BIN_ADMIN" la set 201 --junior-intake yes >/dev/null
returns 201 2024-07
assert_eq "$(grep -cF "$p13a" "$n7")" 1 "13: the junior intake, when the LA asks for it"
# The standard transition (July 2025) and an early leaver (May 2025).
returns 201 2025-07
returns 201 2025-05
d7=$la/201/2025-07/deletion-return.csv
assert_eq "$(grep -cF "$p19" "$d7")" 0 "17: year 6 leaving on the last day: the standard transition, left out"
assert_eq "$(grep -cF "$p20" "$d7")" 1 "17: year 4 leaving that day is listed"
assert_eq "$(grep -cF "$p21" "$la/201/2025-05/deletion-return.csv")" 1 "17: year 6 leaving in May is listed"
"$RC_BIN_ADMIN" la set 201 --standard-transition yes >/dev/null
returns 201 2025-07
assert_eq "$(grep -cF "$p19" "$d7")" 1 "17: the standard transition, when the LA asks for it"

# ---- termly LAs, files, privacy ----------------------------------------------------------------
"$RC_BIN_ADMIN" la set 202 --frequency termly >/dev/null
if "$RC_BIN_ADMIN" returns --la 202 --month 2024-10 >"$T/t.out" 2>&1; then rc_fail "a termly LA got an October return"; fi
assert_grep "termly returns" "$T/t.out" "a termly LA has no October return, and says why"
returns 202 2024-12
assert_grep "August 2024 &ndash; December 2024" "$la/202/2024-12/index.html" "a termly return covers the months since the last"
assert_eq "$(grep -F ",$q1," "$la/202/2024-12/attendance-return.csv" | cut -d, -f12 | sort | tr '\n' ' ')" "CONTINUOUS_UNAUTHORISED IRREGULAR " "a termly return lists the term's rows"
assert_eq "$(stat -c %a "$la/201/2024-09/attendance-return.csv") $(stat -c %a "$la/201/2024-09")" "640 750" "files 0640 in 0750 folders"
for n in Broken Halfterm Readmit "Carer One" "visiting family" "parent not answering"; do
	if grep -q "$n" "$T/worker.log" "$T/daemon.log"; then rc_fail "a log names a pupil or a cause ($n)"; fi
done
if psql_val "select last_error from job" | grep -qE 'Broken|Readmit|Carer'; then rc_fail "a job error names a pupil"; fi
echo "ok - no names, addresses or causes in logs or job errors"
# The page: self-contained, and what an officer needs.
h=$la/201/2024-11/index.html
if grep -Eq 'https?://|<link |@import|url\(|<script' "$h"; then rc_fail "the LA page loads something"; fi
for want in "By school" "Episodes still open from earlier months" "Sickness return" "New pupil return" "Deletion return" "What changed"; do
	assert_grep "$want" "$h" "the page has: $want"
done
kill -TERM $RC_EXTRA_PIDS
wait $RC_EXTRA_PIDS || true
RC_EXTRA_PIDS=
daemon_stop
