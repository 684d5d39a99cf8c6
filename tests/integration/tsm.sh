#!/usr/bin/env bash
# TSM packs end to end on a small trust with two academic years of register (rollcall-gen
# --years 2): pushed through rollcalld, boundaries set for the trust and for one LA, actions
# imported (bad rows refused by file:line:field), packs written by "rollcall tsm --all" for a past
# term and the current one. Every CSV of every pack is checked against figures computed here,
# independently, with awk over the export files (tsm_expected.awk); files are 0640 in 0750
# folders and hold that school's pupils only; a past term's pack regenerates byte for byte after
# newer marks land and the worker starts cold; every pack passes the browser check.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
HERE=$(dirname "$0")
"$RC_BIN_GEN" --out "$T/trust" --schools 3 --pupils 900 --years 2 --from 2025-09-01 \
	--to 2026-02-13 --seed 21 -q
"$RC_BIN_GEN" --check "$T/trust" >"$T/check.out" || { cat "$T/check.out" >&2; rc_fail "the two-year trust fails rollcall-gen --check"; }
assert_grep 'academic years 2024/25 to 2025/26' "$T/check.out" "two academic years generated"
"$RC_BIN_ADMIN" demo "$T/trust" >/dev/null
daemon_start
urns=$(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1)
for urn in $urns; do
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet \
		"$T/trust/$urn" >/dev/null 2>"$T/push.err" || rc_fail "push of $urn failed"
done
assert_eq "$(psql_val "select count(distinct rollcall_academic_year(date)) from mark_version")" "2" "the register holds two academic years"

"$RC_BIN_WORKER" -c "$RC_CONF" --name w1 >>"$T/worker.log" 2>&1 &
RC_EXTRA_PIDS="$!"

# --- boundaries: the trust's own, and one LA's over them ------------------------------------
LA=$(awk -F, 'NR == 2 { print $5 }' "$T/trust/trust.csv")
"$RC_BIN_ADMIN" boundaries set --edges 4,10,20,50 --falling 2.5 >/dev/null
"$RC_BIN_ADMIN" boundaries set --la "$LA" --edges 6,12,25,40 --falling 3 >/dev/null
"$RC_BIN_ADMIN" boundaries show >"$T/bounds.out"
assert_grep "^la $LA .* 6\\.00% +12\\.00% +25\\.00% +40\\.00% +3\\.00" "$T/bounds.out" "the LA's boundaries shown"
assert_grep '^trust .* 4\.00% +10\.00% +20\.00% +50\.00% +2\.50' "$T/bounds.out" "the trust's boundaries shown"
for bad in "--edges 10,5,20,50" "--edges 5,10,20" "--edges 5,10,20,101" "--falling x"; do
	# shellcheck disable=SC2086
	if "$RC_BIN_ADMIN" boundaries set $bad 2>"$T/bad.err"; then rc_fail "boundaries set $bad was accepted"; fi
	assert_grep '^rollcall: --(edges|falling): ' "$T/bad.err" "boundaries set $bad refused, saying why"
done
assert_grep 'not increasing' <("$RC_BIN_ADMIN" boundaries set --edges 10,5,20,50 2>&1) "measures_config_check's reason"
edges_of() { # URN -> "E0 E1 E2 E3 FALL" in basis points
	if [ "$(awk -F, -v u="$1" '$1 == u { print $5 }' "$T/trust/trust.csv")" = "$LA" ]; then
		echo "600 1200 2500 4000 300"
	else
		echo "400 1000 2000 5000 250"
	fi
}

# --- actions agreed at the autumn meetings ----------------------------------------------------
u1=$(echo $urns | cut -d' ' -f1)
upn1=$(awk -F, 'NR == 2 { print $1 }' "$T/trust/$u1/pupils.csv")
upn2=$(awk -F, 'NR == 2 { print $1 }' "$T/trust/$(echo $urns | cut -d' ' -f2)/pupils.csv")
cat >"$T/actions-bad.csv" <<EOF
school_urn,term,upn,action,owner,due,status,note
$u1,2025-autumn,$upn1,Meet the family,EWO,2025-11-30,maybe,
$u1,2025-winter,,Whole-school letters,Head,,open,
$u1,2025-autumn,$upn2,Attendance contract,EWO,2025-12-01,open,
$u1,2025-autumn,,,Head,,open,
999999,2025-autumn,,Letters,Head,,open,
$u1,2025-autumn,,Letters,Head,2025-13-01,open,
EOF
if "$RC_BIN_ADMIN" tsm actions import "$T/actions-bad.csv" 2>"$T/actions.err"; then rc_fail "a bad actions file was imported"; fi
assert_grep "actions-bad.csv:2: status: 'maybe' is not open, done or dropped" "$T/actions.err" "bad status named by line and field"
assert_grep "actions-bad.csv:3: term: '2025-winter' is not a term" "$T/actions.err" "bad term named"
assert_grep "actions-bad.csv:4: upn: $upn2 is not a pupil of school $u1" "$T/actions.err" "another school's pupil refused"
assert_grep "actions-bad.csv:5: action: " "$T/actions.err" "empty action refused"
assert_grep "actions-bad.csv:6: school_urn: '999999' is not a registered school" "$T/actions.err" "unknown school refused"
assert_grep "actions-bad.csv:7: due: '2025-13-01' is not a date" "$T/actions.err" "bad date refused"
assert_grep "nothing imported" "$T/actions.err" "nothing imported"
assert_eq "$(psql_val "select count(*) from tsm_action")" "0" "no action stored from a bad file"
cat >"$T/actions.csv" <<EOF
school_urn,term,upn,action,owner,due,status,note
$u1,2025-autumn,$upn1,First attempt,EWO,2025-11-30,open,
EOF
"$RC_BIN_ADMIN" tsm actions import "$T/actions.csv" >/dev/null
cat >"$T/actions.csv" <<EOF
school_urn,term,upn,action,owner,due,status,note
$u1,2025-autumn,$upn1,Home visit & attendance plan,EWO,2025-11-30,done,"Seen twice, improving"
$u1,2025-autumn,,Whole-school letters for <90%,Head of year,,open,
EOF
"$RC_BIN_ADMIN" tsm actions import "$T/actions.csv" >"$T/actions.out"
assert_grep "2 actions of 1 meeting imported" "$T/actions.out" "actions imported"
assert_eq "$(psql_val "select count(*) || ' ' || string_agg(status, ',' order by seq) from tsm_action")" "2 done,open" "a meeting's actions replaced as a whole"

# --- the packs ---------------------------------------------------------------------------------
if "$RC_BIN_ADMIN" tsm --all --term 2025-winter 2>"$T/term.err"; then rc_fail "a bad term was queued"; fi
assert_grep "'2025-winter' is not a term like 2025-autumn" "$T/term.err" "bad term refused before queuing"
if "$RC_BIN_ADMIN" tsm --school 999999 2>"$T/school.err"; then rc_fail "an unknown school was queued"; fi
assert_grep "no school 999999" "$T/school.err" "unknown school refused"
"$RC_BIN_ADMIN" tsm --all --term 2025-autumn --timeout 300 >"$T/autumn.out" 2>"$T/autumn.err"
assert_grep "tsm: 3 of 3 packs" "$T/autumn.err" "progress shown"
"$RC_BIN_ADMIN" tsm --all --timeout 300 >"$T/spring.out"
assert_eq "$(grep -c '/tsm/.*/2025-autumn/ (as of' "$T/autumn.out")" "3" "an autumn pack for every school, paths printed"
assert_eq "$(grep -c '/tsm/.*/2026-spring/ (as of' "$T/spring.out")" "3" "the current term (spring) for every school by default"
assert_eq "$(psql_val "select count(*) from job where kind = 'tsm' and state = 'done'")" "6" "six tsm jobs done"

files="pack.html categories.csv bands.csv pupils.csv penalty-threshold.csv"
check_pack() { # URN TERM TERM_FIRST RESULT_FILE
	local urn=$1 term=$2 first=$3 dir="$T/out/tsm/$1/$2" d got want
	read -r e0 e1 e2 e3 fall <<<"$(edges_of "$urn")"
	d=$(sed -n "s|.*/tsm/$urn/$term/ (as of \\([0-9-]*\\),.*|\\1|p" "$4")
	[ -n "$d" ] || rc_fail "no pack day printed for $urn $term"
	# The pack's day: the term's last school day, or while it runs the latest marked day.
	want=$(awk -F, -v f="$first" -v l="$([ "$term" = 2025-autumn ] && echo 2025-12-31 || echo 2026-07-31)" \
		'NR > 1 && $3 == "Y" && $1 >= f && $1 <= l { d = $1 } END { print d }' "$T/trust/$urn/calendar.csv")
	last_mark=$(awk -F, 'NR > 1 && $2 > m { m = $2 } END { print m }' "$T/trust/$urn/marks.csv")
	[ "$want" \> "$last_mark" ] && want=$last_mark
	assert_eq "$d" "$want" "$urn $term: the pack's day"
	for f in $files; do
		[ -s "$dir/$f" ] || rc_fail "$dir/$f missing"
		assert_eq "$(stat -c %a "$dir/$f")" "640" "$urn $term $f is 0640"
	done
	assert_eq "$(stat -c %a "$dir")" "750" "$urn $term folder is 0750"
	# Independent figures.
	awk -F, 'NR > 1 && $3 == "Y" { print $1, $2 }' "$T/trust/$urn/calendar.csv" | sort >"$T/sess"
	awk -F, 'NR == FNR { open[$1, $2] = 1; next } FNR > 1 && open[$2, $3] { m[$1 " " $2 " " $3] = $4 }
		END { for (k in m) print k, m[k] }' <(awk -F, 'NR > 1 && $3 == "Y" { print $1 "," $2 }' "$T/trust/$urn/calendar.csv") \
		"$T/trust/$urn/marks.csv" | sort >"$T/marks"
	awk -v D="$d" -v TFIRST="$first" -v E0="$e0" -v E1="$e1" -v E2="$e2" -v E3="$e3" -v FALL="$fall" \
		-v URN="$urn" -f "$ROLLCALL_SRC/tests/tools/csv.awk" -f "$HERE/tsm_expected.awk" "$T/sess" \
		"$T/trust/$urn/pupils.csv" "$T/marks" >"$T/exp"
	compare() { # WHAT FILE EXPECTED_PREFIX
		grep "^$3," "$T/exp" | cut -d, -f2- | sort >"$T/want.txt"
		tail -n +2 "$2" | sort >"$T/got.txt"
		if ! diff -u "$T/want.txt" "$T/got.txt" >"$T/diff.txt"; then
			head -n 30 "$T/diff.txt" >&2
			rc_fail "$urn $term: $1 differs from the independent computation"
		fi
		echo "ok - $urn $term: $1 matches ($(wc -l <"$T/got.txt") rows)"
	}
	compare categories.csv "$dir/categories.csv" C
	compare bands.csv "$dir/bands.csv" B
	compare pupils.csv "$dir/pupils.csv" P
	compare penalty-threshold.csv "$dir/penalty-threshold.csv" X
	[ "$(grep -c '^P,' "$T/exp")" -gt 0 ] || rc_fail "$urn $term: no pupil on any list (the test would prove nothing)"
	# Pupil data of that school only.
	got=$(tail -n +2 "$dir/pupils.csv" | cut -d, -f2 | sort -u)
	stray=$(comm -23 <(echo "$got") <(tail -n +2 "$T/trust/$urn/pupils.csv" | cut -d, -f1 | sort -u))
	[ -z "$stray" ] || rc_fail "$urn $term: pupils of another school in pupils.csv: $stray"
	if grep -Eq 'https?://|<link |@import|url\(|<script' "$dir/pack.html"; then rc_fail "$urn $term: the pack references external resources"; fi
}
for urn in $urns; do
	check_pack "$urn" 2025-autumn 2025-08-01 "$T/autumn.out"
	check_pack "$urn" 2026-spring 2026-01-01 "$T/spring.out"
done
# Every list kind shows up somewhere in the trust (the rules were exercised).
for flag in SA PA AT_RISK ATTENDANCE_RETURN SICKNESS_RETURN PENALTY_THRESHOLD; do
	n=$(cat "$T"/out/tsm/*/*/pupils.csv | grep -c "$flag" || true)
	[ "$n" -gt 0 ] || rc_fail "no pupil flagged $flag in any pack"
	echo "ok - $n pupils flagged $flag across the packs"
done

# The spring pack of the first school: last term's actions, trends, the LA's boundaries.
sp="$T/out/tsm/$u1/2026-spring/pack.html"
assert_grep 'Home visit &amp; attendance plan' "$sp" "last term's actions in the spring pack"
assert_grep '<span class="badge done">done</span>' "$sp" "an action's status"
assert_grep 'Whole-school letters for &lt;90%' "$sp" "a school-level action, escaped"
assert_grep 'Autumn term 2025/26, to ' "$sp" "the previous term named"
assert_grep 'Same point last year</dt><dd>[0-9]+ Feb 2025' "$sp" "the same point last year"
grep -q '<td>&ndash;</td>' <(grep -A2 'Same point last year</th>' "$sp" || true) && rc_fail "last year's figures missing"
au="$T/out/tsm/$u1/2025-autumn/pack.html"
assert_grep 'Summer term 2024/25, to [0-9]+ Jul 2025' "$au" "an autumn pack's previous term is last year's summer"
assert_grep 'Boundaries in force for this school, set by the local authority: expected up to 6% absence' \
	"$T/out/tsm/$u1/2026-spring/pack.html" "the LA's boundaries shown in its school's pack"
other=
for u in $urns; do
	if [ -z "$other" ] && [ "$(edges_of "$u")" = "400 1000 2000 5000 250" ]; then other=$u; fi
done
[ -n "$other" ] || rc_fail "every school is in the LA with boundaries of its own"
assert_grep 'set by the trust: expected up to 4% absence' "$T/out/tsm/$other/2026-spring/pack.html" "the trust's boundaries in another school's pack"
# ... and in the trust page.
"$RC_BIN_ADMIN" report cohorts --timeout 300 >/dev/null
assert_grep 'The boundaries differ between the schools' "$(ls -d "$T"/out/trust/*/ | tail -n 1)index.html" "the trust page says the boundaries in force"

# --- a past term regenerates byte for byte -------------------------------------------------------
for urn in $urns; do cp -r "$T/out/tsm/$urn/2025-autumn" "$T/first-$urn"; done
# Newer marks land (the Monday after: everyone present), and the worker starts cold.
night="$T/night/$u1"
mkdir -p "$night"
cp "$T/trust/$u1/pupils.csv" "$T/trust/$u1/contacts.csv" "$T/trust/$u1/calendar.csv" "$night/"
awk -F, 'NR == 1 { print "upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason"; next }
	$9 == "" || $9 > "2026-02-23" { print $1 ",2026-02-23,AM,/,,2026-02-23T08:50:00Z,A. Teacher (Class teacher)," }' \
	"$T/trust/$u1/pupils.csv" >"$night/marks.csv"
"$RC_BIN_PUSH" -c "$RC_CONF" --school "$u1" --key "$T/trust/keys/$u1.key" --quiet "$night" >/dev/null 2>"$T/push.err" || true
daemon_stop
assert_eq "$(psql_val "select count(*) > 0 from mark_version where school_urn = $u1 and date = '2026-02-23'")" "t" "newer marks landed"
for p in $RC_EXTRA_PIDS; do kill -TERM "$p"; wait "$p" || true; done
RC_EXTRA_PIDS=
"$RC_BIN_WORKER" -c "$RC_CONF" --name w2 >>"$T/worker.log" 2>&1 &
RC_EXTRA_PIDS="$!"
"$RC_BIN_ADMIN" tsm --all --term 2025-autumn --timeout 300 >/dev/null
for urn in $urns; do
	for f in $files; do
		cmp -s "$T/first-$urn/$f" "$T/out/tsm/$urn/2025-autumn/$f" || rc_fail "$urn 2025-autumn $f changed on regeneration"
	done
done
echo "ok - every autumn pack regenerated byte for byte, from a cold worker, after newer marks"
"$RC_BIN_ADMIN" tsm --school "$u1" --timeout 300 >"$T/spring2.out"
assert_grep "/tsm/$u1/2026-spring/ \\(as of 2026-02-23" "$T/spring2.out" "the current term's pack moves on with the register"

# --- every pack in a real browser ----------------------------------------------------------------
n=0
for page in "$T"/out/tsm/*/*/pack.html; do
	RC_HTML_KIND=tsm RC_HTML_PAGE="$page" RC_HTML_OUT="${RC_TSM_SHOTS:+$RC_TSM_SHOTS/$n}" \
		bash "$HERE/html_chromium.sh" >"$T/chromium.out" 2>&1 ||
		{ tail -n 20 "$T/chromium.out" >&2; rc_fail "$page failed the browser check"; }
	n=$((n + 1))
done
echo "ok - all $n packs render in headless Chromium, print to A4 PDF, request nothing, log nothing"
echo "tsm: all checks passed"
