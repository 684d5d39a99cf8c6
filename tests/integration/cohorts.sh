#!/usr/bin/env bash
# The trust cohort breakdown end to end: a generated trust is pushed, workers recompute each
# school, "rollcall report cohorts" writes cohorts.csv and index.html. The CSV's headline and
# cohort figures are checked against figures computed here, independently, with awk from the
# same export files; a worker killed mid-job (SIGKILL) leaves a job another worker completes.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
AS_OF=2025-10-10
"$RC_BIN_GEN" --out "$T/trust" --schools 5 --pupils 1500 --from 2025-09-01 --to 2025-10-17 \
	--seed 11 >/dev/null
"$RC_BIN_ADMIN" demo "$T/trust" >/dev/null
daemon_start
for urn in $(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1); do
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet \
		"$T/trust/$urn" >/dev/null 2>"$T/push.err" || rc_fail "push of $urn failed"
done
daemon_stop

# Workers: the recompute jobs from ingest first.
worker() { "$RC_BIN_WORKER" -c "$RC_CONF" "$@"; }
worker --once --name w1 >>"$T/worker.log" 2>&1
assert_eq "$(psql_val "select count(*) from job where kind = 'recompute' and state = 'done'")" "5" "a recompute job per school done"
assert_eq "$(psql_val "select count(*) from school_result")" "5" "each school has results as of its latest day"

# The breakdown on demand: queue it, let a worker run, wait for it.
"$RC_BIN_WORKER" -c "$RC_CONF" --name w2 >>"$T/worker.log" 2>&1 &
RC_EXTRA_PIDS="$!"
"$RC_BIN_ADMIN" report cohorts --as-of "$AS_OF" --timeout 120 >"$T/report.out"
assert_grep "trust/$AS_OF/cohorts.csv" "$T/report.out" "report names the CSV"
# A report for a past day stores that day's summaries, but the per-pupil figures other reports
# read stay those of the latest day.
assert_eq "$(psql_val "select count(distinct as_of) || ' ' || min(as_of) from enrolment_result")" \
	"1 $(psql_val "select max(as_of) from school_result")" "per-pupil results never go backwards"
csv="$T/out/trust/$AS_OF/cohorts.csv"
html="$T/out/trust/$AS_OF/index.html"
[ -s "$csv" ] && [ -s "$html" ] || rc_fail "report files missing"
assert_eq "$(stat -c %a "$csv")" "640" "CSV readable by owner and group only"
assert_eq "$(head -n 1 "$csv")" "scope,school_urn,period,cohort,in_cohort,pupils,possible_sessions,absence_sessions,authorised_sessions,unauthorised_sessions,attendance_pct,authorised_pct,unauthorised_pct,pa_pupils,pa_pct,sa_pupils,sa_pct,gap_pp,small_group" "contract columns, then small_group"

# Independent figures: ytd (1 Aug .. AS_OF), headline population, from the export CSVs.
expected() {
	awk -F, -v asof="$AS_OF" -v ay=2025 '
	function col(name,   i) { for (i = 1; i <= NF; i++) if ($i == name) return i; return 0 }
	function pct(n, d,   t) { if (d == 0) return ""; t = int((n * 2000 / d + 1) / 2); return int(t / 10) "." (t % 10) }
	BEGIN {
		split("/ \\ L", a, " "); for (i in a) cat[a[i]] = "P"
		split("K V P W B J", a, " "); for (i in a) cat[a[i]] = "P"
		split("C1 M J1 S C2 C T R I E H F", a, " "); for (i in a) cat[a[i]] = "A"
		split("G N O U", a, " "); for (i in a) cat[a[i]] = "U"
		lo = (ay - 16) "-09-01"; hi = (ay - 5) "-08-31"; ytd = ay "-08-01"
	}
	FNR == 1 { file = FILENAME; sub(/.*\//, "", file); split(FILENAME, parts, "/"); urn = parts[length(parts) - 1]
		if (file == "pupils.csv") { cu = col("upn"); cd = col("date_of_birth"); ca = col("admission_date"); cl = col("leaving_date"); cb = col("boarder"); cf = col("fsm"); cp = col("pupil_premium") }
		if (file == "calendar.csv") { kd = col("date"); ks = col("session"); ko = col("open") }
		if (file == "marks.csv") { mu = col("upn"); md = col("date"); ms = col("session"); mc = col("code") }
		next }
	file == "pupils.csv" { k = urn SUBSEP $cu; dob[k] = $cd; adm[k] = $ca; lv[k] = $cl; brd[k] = $cb; fsm[k] = $cf; pp[k] = $cp; pupils[k] = 1; next }
	file == "calendar.csv" { if ($ko == "Y") open[urn SUBSEP $kd SUBSEP $ks] = 1; next }
	file == "marks.csv" { mark[urn SUBSEP $mu SUBSEP $md SUBSEP $ms] = $mc; next }
	END {
		for (m in mark) {
			split(m, f, SUBSEP); k = f[1] SUBSEP f[2]
			if (!(k in pupils) || !((f[1] SUBSEP f[3] SUBSEP f[4]) in open)) continue
			if (f[3] < ytd || f[3] > asof || f[3] < adm[k] || (lv[k] != "" && f[3] > lv[k])) continue
			c = cat[mark[m]]; if (c == "") continue
			pos[k]++; if (c == "A") { au[k]++ } if (c == "U") { un[k]++ }
		}
		for (k in pupils) {
			if (dob[k] < lo || dob[k] > hi || brd[k] == "Y" || pos[k] == 0) continue
			split(k, f, SUBSEP); ab = au[k] + un[k]; fk = fsm[k] == "Y" ? "Y" : "N"
			add("trust,,all,Y", pos[k], ab, au[k], un[k])
			add("school," f[1] ",all,Y", pos[k], ab, au[k], un[k])
			add("trust,,fsm," fk, pos[k], ab, au[k], un[k])
			add("school," f[1] ",fsm," fk, pos[k], ab, au[k], un[k])
		}
		for (key in P) print key "," N[key] "," P[key] "," AB[key] "," AU[key] "," UN[key] "," pct(P[key] - AB[key], P[key]) "," PA[key] + 0 "," SA[key] + 0
	}
	function add(key, p, ab, a, u) { N[key]++; P[key] += p; AB[key] += ab; AU[key] += a; UN[key] += u; if (ab * 10 >= p) PA[key]++; if (ab * 2 >= p) SA[key]++ }
	' "$T"/trust/*/pupils.csv "$T"/trust/*/calendar.csv "$T"/trust/*/marks.csv | sort
}
actual() {
	awk -F, '$3 == "ytd" && ($4 == "all" || $4 == "fsm") {
		print $1 "," $2 "," $4 "," $5 "," $6 "," $7 "," $8 "," $9 "," $10 "," $11 "," $14 "," $16 }' "$csv" | sort
}
expected >"$T/expected.txt"
actual >"$T/actual.txt"
[ "$(wc -l <"$T/expected.txt")" -ge 12 ] || rc_fail "independent computation produced too few rows"
if ! diff -u "$T/expected.txt" "$T/actual.txt" >"$T/diff.txt"; then
	head -n 40 "$T/diff.txt" >&2
	rc_fail "cohorts.csv differs from the independent computation"
fi
echo "ok - trust and school ytd figures (all, fsm in/out) match an independent computation ($(wc -l <"$T/expected.txt") rows)"
gap=$(awk -F, '$1 == "trust" && $3 == "ytd" && $4 == "fsm" && $5 == "Y" { print $18 }' "$csv")
[ -n "$gap" ] || rc_fail "no gap_pp for the trust FSM row"
echo "ok - trust FSM gap $gap pp"

# Same inputs, byte-identical CSV.
cp "$csv" "$T/first.csv"
psql_val "delete from school_result" >/dev/null
"$RC_BIN_ADMIN" report cohorts --as-of "$AS_OF" --timeout 120 >/dev/null
cmp -s "$T/first.csv" "$csv" || rc_fail "a rebuilt report is not byte-identical"
echo "ok - recomputed from scratch, the CSV is byte-identical"

# No external resources in the page.
if grep -Eq 'https?://|<link |@import|url\(' "$html"; then rc_fail "the page references external resources"; fi
echo "ok - the page is self-contained"
# And the real page renders in headless Chromium with no console message and no request.
RC_HTML_PAGE="$html" bash "$(dirname "$0")/html_chromium.sh" >"$T/chromium.out" 2>&1 ||
	{ tail -n 20 "$T/chromium.out" >&2; rc_fail "the real page failed the browser check"; }
echo "ok - the real page renders in headless Chromium ($(grep -c '^ok' "$T/chromium.out") checks)"

# The benchmarks are data the trust can replace.
"$RC_BIN_ADMIN" benchmark import "$ROLLCALL_SRC/deploy/benchmarks.csv" >/dev/null
assert_eq "$("$RC_BIN_ADMIN" benchmark list | grep -c .)" "33" "benchmarks imported from deploy/benchmarks.csv"
assert_grep "^2024/25 autumn,all,absence,fsm,10.0," <("$RC_BIN_ADMIN" benchmark list) "a cohort benchmark kept exactly"
printf 'year,phase,measure,cohort,percent\n2024/25,primary,overall_absence,,five\n' >"$T/bad-bench.csv"
if "$RC_BIN_ADMIN" benchmark import "$T/bad-bench.csv" 2>"$T/bench.err"; then rc_fail "a bad benchmark file was imported"; fi
assert_grep "bad-bench.csv:2: percent: 'five' is not a percentage" "$T/bench.err" "bad benchmark row named by line"
assert_eq "$("$RC_BIN_ADMIN" benchmark list | grep -c .)" "33" "a failed import changes nothing"

# A worker killed mid-job: the job is taken over when its lease expires.
kill -TERM $RC_EXTRA_PIDS; wait $RC_EXTRA_PIDS || true
RC_EXTRA_PIDS=
psql_val "delete from school_result" >/dev/null
id=$("$RC_BIN_ADMIN" report cohorts --as-of 2025-10-03 --no-wait | awk '{ print $2 }')
ROLLCALL_WORKER_LEASE_SECONDS=10 "$RC_BIN_WORKER" -c "$RC_CONF" --name victim >>"$T/worker.log" 2>&1 &
victim=$!
end=$((SECONDS + 60))
until [ "$(psql_val "select state from job where job_id = $id")" = running ]; do
	[ $SECONDS -lt $end ] || rc_fail "the job was never claimed"
	sleep 0.02
done
kill -KILL $victim
wait $victim 2>/dev/null || true
assert_eq "$(psql_val "select state || ' ' || worker from job where job_id = $id")" "running victim" "killed worker left its job running"
ROLLCALL_WORKER_LEASE_SECONDS=10 "$RC_BIN_WORKER" -c "$RC_CONF" --name rescuer >>"$T/worker.log" 2>&1 &
RC_EXTRA_PIDS="$!"
end=$((SECONDS + 60))
until [ "$(psql_val "select state from job where job_id = $id")" = done ]; do
	[ $SECONDS -lt $end ] || rc_fail "the job was not taken over"
	sleep 0.1
done
assert_eq "$(psql_val "select worker || ' ' || attempts from job where job_id = $id")" "rescuer 2" "another worker completed it on its second attempt"
[ -s "$T/out/trust/2025-10-03/cohorts.csv" ] || rc_fail "the rescued report was not written"
echo "ok - rescued report written"

# A job that keeps failing is retried with backoff, then dead with its error.
kill -TERM $RC_EXTRA_PIDS; wait $RC_EXTRA_PIDS || true
RC_EXTRA_PIDS=
bad=$(psql_val "insert into job (kind) values ('no-such-report') returning job_id")
ROLLCALL_WORKER_MAX_ATTEMPTS=2 worker --once --name retry1 >>"$T/worker.log" 2>&1
assert_eq "$(psql_val "select state || ' ' || attempts || ' ' || (run_after > now()) from job where job_id = $bad")" "pending 1 true" "first failure: back to pending, later"
psql_val "update job set run_after = now() where job_id = $bad" >/dev/null  # time passes
ROLLCALL_WORKER_MAX_ATTEMPTS=2 worker --once --name retry2 >>"$T/worker.log" 2>&1
assert_eq "$(psql_val "select state || ' ' || attempts || ': ' || last_error from job where job_id = $bad")" "dead 2: unknown job kind 'no-such-report'" "second failure: dead, with the error kept"
"$RC_BIN_ADMIN" jobs >"$T/jobs.out"
assert_grep "no-such-report +dead" "$T/jobs.out" "rollcall jobs shows the dead job"

# A school another worker holds: the worker waits a bounded time (half the lease, keeping its
# watchdog fed), then gives the job back untouched instead of hanging.
urn=$(awk -F, 'NR == 2 { print $1 }' "$T/trust/trust.csv")
psql_val "delete from school_result where school_urn = $urn" >/dev/null
psql -X -q -c "select pg_advisory_lock(72432, $urn), pg_sleep(12)" >/dev/null &
holder=$!
until [ "$(psql_val "select count(*) from pg_locks where locktype = 'advisory' and classid = 72432 and objid = $urn")" = 1 ]; do sleep 0.05; done
busy=$(psql_val "insert into job (school_urn, kind) values ($urn, 'recompute') returning job_id")
t0=$SECONDS
ROLLCALL_WORKER_LEASE_SECONDS=10 worker --once --name waiter >>"$T/worker.log" 2>&1
[ $((SECONDS - t0)) -lt 11 ] || rc_fail "the worker waited for the lock instead of giving the job back"
assert_eq "$(psql_val "select state || ' ' || attempts from job where job_id = $busy")" "pending 0" "a locked school's job is given back, its attempt not counted"
assert_grep "URN $urn\\): school $urn: another worker has been computing it for 5 s" "$T/worker.log" "the worker says why"
kill $holder 2>/dev/null; wait $holder 2>/dev/null || true
