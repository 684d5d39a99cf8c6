#!/usr/bin/env bash
# rollcall-gen: the same flags give byte-identical trusts, another seed gives another trust, and
# what it writes passes its own --check (UPN check letters, 2024 codes valid for their dates,
# amendments after their originals, no unmarked session) with a realistic headline absence rate.
# Usage: gen_determinism.sh /path/to/rollcall-gen
set -euo pipefail

GEN=${1:?usage: gen_determinism.sh /path/to/rollcall-gen}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rollcall-gen-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

FLAGS=(--pupils 600 --schools 4 --la-count 2 --from 2025-09-01 --to 2025-10-24 --amend-pct 3)

"$GEN" --out "$WORK/a" --seed 7 "${FLAGS[@]}" -q
"$GEN" --out "$WORK/b" --seed 7 "${FLAGS[@]}" -q
"$GEN" --out "$WORK/c" --seed 8 "${FLAGS[@]}" -q

diff -r "$WORK/a" "$WORK/b" >/dev/null || fail "same seed and flags gave different files"
nfiles=$(find "$WORK/a" -type f | wc -l)
[ "$nfiles" -eq $((1 + 4 * 4)) ] || fail "expected trust.csv and 4 files for each of 4 schools, got $nfiles files"
echo "ok: seed 7 twice gave byte-identical trusts ($nfiles files)"

if diff -r -q "$WORK/a" "$WORK/c" >/dev/null; then
	fail "seeds 7 and 8 gave identical trusts"
fi
echo "ok: seed 8 differs from seed 7"

head -1 "$WORK/a/trust.csv" | grep -qx 'school_urn,laestab,name,phase,la_code,la_name' ||
	fail "trust.csv header"
school=$(sed -n 2p "$WORK/a/trust.csv" | cut -d, -f1)
head -1 "$WORK/a/$school/marks.csv" |
	grep -qx 'upn,date,session,code,minutes_late,recorded_at,recorded_by,amendment_reason,comment' ||
	fail "marks.csv header"
head -1 "$WORK/a/$school/pupils.csv" | grep -q ',ethnicity,entered_on,previous_school,destination_school,destination_address,destination_start,class$' ||
	fail "pupils.csv header lacks the optional admission-register columns"
head -1 "$WORK/a/$school/calendar.csv" | grep -qx 'date,session,open,term' || fail "calendar.csv header"
echo "ok: headers are the contract's column names"

# The checker must catch a broken file, so that its "errors=0" below means something.
mkdir "$WORK/bad"
cp -r "$WORK/a/." "$WORK/bad/"
awk -F, 'NR == 2 { $4 = "H" } { print }' OFS=, "$WORK/a/$school/marks.csv" >"$WORK/bad/$school/marks.csv"
if "$GEN" --check "$WORK/bad" >"$WORK/bad.out" 2>&1; then
	fail "--check accepted a retired code H after 19 Aug 2024"
fi
grep -q "code 'H'" "$WORK/bad.out" || fail "--check did not name the retired code: $(cat "$WORK/bad.out")"
echo "ok: --check rejects a retired code"

"$GEN" --check "$WORK/a" >"$WORK/check.out" 2>&1 || {
	cat "$WORK/check.out" >&2
	fail "--check found errors in a generated trust"
}
sed 's/^/    /' "$WORK/check.out"
summary=$(grep '^summary:' "$WORK/check.out")
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$summary"; }

[ "$(field errors)" = 0 ] || fail "errors in --check"
[ "$(field unmarked)" = 0 ] || fail "open sessions without a mark"
[ "$(field pupils)" = 600 ] || fail "expected 600 pupils, got $(field pupils)"
[ "$(field amendments)" -gt 0 ] || fail "no amendment rows"
absence=$(field absence_pct)
awk -v a="$absence" 'BEGIN { exit !(a >= 4 && a <= 11) }' ||
	fail "headline absence $absence% is outside 4-11%"
echo "ok: every UPN check letter and every code valid; amendments follow their originals;"
echo "ok: headline absence of compulsory-age pupils $absence% is within 4-11%"

# Bad usage is refused with a clear message and exit status 2.
for args in "--seed -1" "--pupils 0" "--schools 3 --pupils 2" "--from 2025-08-01" \
	"--from 2025-10-01 --to 2025-09-30" "--amend-pct 50" "--la-count 5 --schools 4" "--year 2023"; do
	set +e
	# shellcheck disable=SC2086
	"$GEN" --out "$WORK/x" $args >/dev/null 2>"$WORK/usage.err"
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "'$args' gave exit status $rc, expected 2"
	grep -q '^rollcall-gen: ' "$WORK/usage.err" || fail "'$args' gave no message"
done
echo "ok: 8 kinds of bad usage refused with exit status 2"
echo "PASS"
