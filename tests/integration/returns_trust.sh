#!/usr/bin/env bash
# Every LA's returns for a generated trust, end to end: the trust is pushed through rollcall-push
# and rollcalld, "rollcall returns --all" has the workers write four months of returns, and each
# row of the four returns is compared with the rows worked out here, independently, by
# tests/tools/returns_rules.awk from the same export files (domain.md §6).
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
MONTHS="2025-09 2025-10 2025-11 2025-12"
"$RC_BIN_GEN" --out "$T/trust" --schools 6 --la-count 3 --pupils 3000 --from 2025-09-01 \
	--to 2025-12-12 --seed 23 >/dev/null
"$RC_BIN_ADMIN" demo "$T/trust" >/dev/null
daemon_start
for urn in $(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1); do
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet \
		"$T/trust/$urn" >/dev/null 2>"$T/push.err" || rc_fail "push of $urn failed: $(head -c 400 "$T/push.err")"
done
daemon_stop
assert_eq "$(psql_val "select count(*) from rejected_item")" 0 "the generated trust is stored whole"

# Two workers, each holding the schools it recomputed: each school's part of a return is
# computed by the worker holding it, and the LA's job puts the parts together.
for w in w1 w2; do
	"$RC_BIN_WORKER" -c "$RC_CONF" --name $w >>"$T/worker.log" 2>&1 &
	RC_EXTRA_PIDS="${RC_EXTRA_PIDS:-} $!"
done
for m in $MONTHS; do
	"$RC_BIN_ADMIN" returns --all --month "$m" --timeout 300 >"$T/returns.out" ||
		{ cat "$T/returns.out"; tail -n 20 "$T/worker.log"; rc_fail "returns --all --month $m failed"; }
	cat "$T/returns.out" >>"$T/returns-all.out"
done
nschools=$(tail -n +2 "$T/trust/trust.csv" | wc -l)
assert_eq "$(sed -n 's/.*(\([0-9]*\) schools, \([0-9]*\) computed by the workers holding them.*/\2/p' "$T/returns-all.out" | paste -sd+ | bc)" \
	"$((nschools * $(echo "$MONTHS" | wc -w)))" "every school's part came from the worker holding it"
assert_eq "$(psql_val "select count(*) from job where kind = 'la_part' and state = 'done'")" "$((nschools * $(echo "$MONTHS" | wc -w)))" "one part job per school and month"
assert_eq "$(psql_val "select count(*) from la_return_part")" 0 "no part is kept once its return is written"

awk_rules=$ROLLCALL_SRC/tests/tools/returns_rules.awk awk_csv=$ROLLCALL_SRC/tests/tools/csv.awk
schools=$(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1)
files=("$T/trust/trust.csv")
for urn in $schools; do files+=("$T/trust/$urn/calendar.csv" "$T/trust/$urn/pupils.csv" "$T/trust/$urn/marks.csv"); done
awk -v mode=flatten -f "$awk_csv" -f "$awk_rules" "${files[@]}" |
	LC_ALL=C sort -t "$(printf '\t')" -k2,2 -k3,3 -k4,4 -k5,5 |
	awk -v mode=rules -v months="$MONTHS" -f "$awk_csv" -f "$awk_rules" | LC_ALL=C sort >"$T/expected.txt"
find "$T/out/la" -name '*-return.csv' | LC_ALL=C sort | xargs awk -v mode=actual -f "$awk_csv" -f "$awk_rules" |
	LC_ALL=C sort >"$T/actual.txt"

# Every LA of the trust has its folder for every month, and nothing else is there.
for la in $(tail -n +2 "$T/trust/trust.csv" | cut -d, -f5 | sort -u); do
	for m in $MONTHS; do
		[ -s "$T/out/la/$la/$m/index.html" ] || rc_fail "no returns page for LA $la, $m"
	done
done
assert_eq "$(ls "$T/out/la" | wc -l)" "$(tail -n +2 "$T/trust/trust.csv" | cut -d, -f5 | sort -u | wc -l)" "one folder per LA of the trust"

# Enough of each kind for the comparison to mean something.
for k in A S N D; do
	c=$(grep -c "^$k|" "$T/expected.txt" || true)
	[ "$c" -ge 3 ] || rc_fail "the independent computation found only $c rows of kind $k"
done
if ! diff -u "$T/expected.txt" "$T/actual.txt" >"$T/diff.txt"; then
	head -n 40 "$T/diff.txt" >&2
	rc_fail "the returns differ from the independent computation"
fi
echo "ok - $(wc -l <"$T/expected.txt") return rows over $(echo "$MONTHS" | wc -w) months match an independent computation" \
	"(attendance $(grep -c '^A|' "$T/expected.txt"), sickness $(grep -c '^S|' "$T/expected.txt")," \
	"new pupil $(grep -c '^N|' "$T/expected.txt"), deletion $(grep -c '^D|' "$T/expected.txt"))"
for s in FORECAST REACHED; do
	grep -q "^S|[^|]*|[^|]*|[^|]*|$s|" "$T/expected.txt" || rc_fail "no $s sickness row to compare"
done
grep -q '^A|\([^|]*|\)\{6\}Y|' "$T/expected.txt" || rc_fail "no ongoing episode to compare"

# An LA's job queued on its own (no parts) computes every school itself, to the same bytes.
la1=$(tail -n +2 "$T/trust/trust.csv" | cut -d, -f5 | sort -u | head -n 1)
cp -r "$T/out/la/$la1/2025-10" "$T/oct-first"
id=$(psql_val "insert into job (kind, args) values ('la_returns', 'la=$la1 month=2025-10') returning job_id; notify rollcall_jobs" | head -n 1)
for _ in $(seq 1200); do
	[ "$(psql_val "select state from job where job_id = $id")" = done ] && break
	sleep 0.1
done
assert_eq "$(psql_val "select state from job where job_id = $id")" done "an LA's job queued without parts runs"
assert_grep "0 computed by the workers holding them" <(psql_val "select result from job where job_id = $id") "without parts, the LA's job computes its schools"
diff -r "$T/oct-first" "$T/out/la/$la1/2025-10" >/dev/null || rc_fail "the LA's job alone wrote other files"
echo "ok - ... and writes the same files"

# Each LA's files hold only its own schools' pupils.
for la in $(ls "$T/out/la"); do
	for f in "$T/out/la/$la"/*/*-return.csv; do
		awk -F, -v la="$la" 'NR > 1 && $1 != la { exit 1 }' "$f" || rc_fail "$f has another LA's row"
	done
done
echo "ok - each LA's returns hold only its own schools"
