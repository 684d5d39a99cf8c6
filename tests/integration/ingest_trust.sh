#!/usr/bin/env bash
# A generated trust lands with every row counted; pushing the same exports again changes
# nothing (no new mark versions, no new characteristic rows, contacts untouched).
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
"$RC_BIN_GEN" --out "$T/trust" --schools 4 --pupils 900 --from 2025-09-01 --to 2025-10-17 \
	--seed 3 >/dev/null
"$RC_BIN_ADMIN" demo "$T/trust" >/dev/null
daemon_start

urns=$(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1)
rows() { awk 'FNR > 1' "$@" | wc -l; }
for urn in $urns; do
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet \
		"$T/trust/$urn" >"$T/push-$urn.out" 2>"$T/push-$urn.err" \
		|| { cat "$T/push-$urn.err" >&2; rc_fail "push of $urn failed"; }
	assert_grep "^school $urn: " "$T/push-$urn.out" "push summary for $urn"
done

exp_versions=$(rows "$T"/trust/*/marks.csv)
exp_current=$(awk -F, 'FNR > 1 { print FILENAME, $1, $2, $3 }' "$T"/trust/*/marks.csv | sort -u | wc -l)
exp_pupils=$(rows "$T"/trust/*/pupils.csv)
exp_contacts=$(rows "$T"/trust/*/contacts.csv)
exp_sessions=$(rows "$T"/trust/*/calendar.csv)
assert_eq "$(psql_val "select count(*) from mark_version")" "$exp_versions" "every mark row is a version"
assert_eq "$(psql_val "select count(*) from mark_current")" "$exp_current" "current marks = distinct sessions"
assert_eq "$(psql_val "select count(*) from pupil")" "$exp_pupils" "every pupil registered"
assert_eq "$(psql_val "select count(*) from contact")" "$exp_contacts" "every contact stored"
assert_eq "$(psql_val "select count(*) from school_session")" "$exp_sessions" "every calendar session stored"
assert_eq "$(psql_val "select count(*) from rejected_item")" "0" "nothing rejected"
amended=$(psql_val "select count(*) from mark_version where version > 1 and amendment_reason is not null")
assert_eq "$(psql_val "select count(*) from mark_version where version > 1")" "$amended" "every later version carries its reason"
[ "$amended" -gt 0 ] || rc_fail "the generated trust has no amendments"
assert_eq "$(psql_val "select count(distinct school_urn) from job where kind = 'recompute' and state = 'pending'")" \
	"$(echo $urns | wc -w)" "one pending recompute job per school"

# Per-school figures from the status command agree with the database.
"$RC_BIN_ADMIN" -c "$RC_CONF" status >"$T/status.out" || true
on_roll=$(awk -F, -v today="$(date +%F)" 'FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "leaving_date") c = i; next }
	$c == "" || $c >= today' "$T"/trust/*/pupils.csv | wc -l)
assert_grep "^total +$on_roll +$(psql_val "select count(*) from batch") +0 +0$" "$T/status.out" "status totals (pupils on roll today, batches, no rejection, no unmarked session)"

snapshot() {
	psql_val "select (select count(*) from mark_version), (select count(*) from pupil_characteristic),
	          (select sum(xmin::text::bigint) from contact), (select max(updated_at) from pupil)"
}
before=$(snapshot)
# An export read completely before and unchanged since is not read again.
urn1=$(echo $urns | cut -d' ' -f1)
"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn1" --key "$T/trust/keys/$urn1.key" "$T/trust/$urn1" \
	>"$T/same.out" 2>"$T/same.err" || rc_fail "push of an unchanged export failed"
assert_grep "read completely by .* and has not changed" "$T/same.err" "an unchanged export is not read again"
# Touched (a new night's export with the same rows): read and sent again, nothing changes.
touch "$T"/trust/*/*.csv
for urn in $urns; do
	"$RC_BIN_PUSH" -c "$RC_CONF" --school "$urn" --key "$T/trust/keys/$urn.key" --quiet \
		"$T/trust/$urn" >"$T/again-$urn.out" 2>&1 || rc_fail "second push of $urn failed"
	assert_grep "\(0 new, [1-9][0-9]* unchanged\)" "$T/again-$urn.out" "second push of $urn: every mark sent, none new"
done
assert_eq "$(snapshot)" "$before" "pushing the same exports twice changes nothing"
daemon_stop
