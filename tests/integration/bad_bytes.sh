#!/usr/bin/env bash
# Hostile bytes in an export cost only their own row (issue 11, failures 1, 2 and 8): a surname
# with invalid UTF-8, a 2 MiB field and a pupil listed twice are each rejected as file:line:
# field: reason, and everything else lands. A batch the register refuses is answered without
# the database's text, and an export with a refused batch is read again on the next run.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start fsync=off
rc_configure
"$RC_BIN_GEN" --out "$T/trust" --schools 2 --pupils 400 --from 2025-09-01 --to 2025-10-10 \
	--seed 5 --la-count 1 >/dev/null
"$RC_BIN_ADMIN" demo "$T/trust" >/dev/null
cp "$T"/trust/keys/*.key "$T/keys/"
urns=($(tail -n +2 "$T/trust/trust.csv" | cut -d, -f1))
a=${urns[0]} b=${urns[1]}
x=$T/trust/$a

# Rows 5, 9 and 14 of pupils.csv: a bad byte in the surname, a 2 MiB quoted field, a pupil
# already on line 13 (the same spell again).
upn5=$(sed -n 5p "$x/pupils.csv" | cut -d, -f1)
upn9=$(sed -n 9p "$x/pupils.csv" | cut -d, -f1)
awk -F, -v OFS=, 'NR == 5 { $2 = $2 "\377" } { print } NR == 13 { print }' "$x/pupils.csv" >"$T/p.csv"
awk -F, -v OFS=, 'NR == 9 { big = "y"; while (length(big) < 2200000) big = big big; $11 = "\"" big "\"" }
	{ print }' "$T/p.csv" >"$x/pupils.csv"
daemon_start
push "$a" "$x"
assert_eq "$PUSH_STATUS" 1 "exit 1: rows rejected, the rest stored"
e=$T/push.err
assert_grep '^pupils.csv:5: surname: not valid UTF-8 \(byte [0-9]+\)$' "$e" "the bad byte costs its row"
assert_grep '^pupils.csv:9: row: row longer than 1048576 bytes; skipped$' "$e" "the oversized field costs its row"
assert_grep '^pupils.csv:14: upn: the same pupil as line 13 ' "$e" "the second row of one pupil is rejected"
assert_eq "$(grep -c '^pupils.csv:' "$e")" 3 "no other pupil row rejected"
# Only the two rejected pupils' marks are refused; every other mark is stored.
exp=$(awk -F, -v u1="$upn5" -v u2="$upn9" 'FNR > 1 && $1 != u1 && $1 != u2' "$x/marks.csv" | wc -l)
assert_eq "$(psql_val "select count(*) from mark_version where school_urn = $a")" "$exp" "every other mark stored"
assert_eq "$(grep -c '^marks.csv:' "$e")" \
	"$(awk -F, -v u1="$upn5" -v u2="$upn9" 'FNR > 1 && ($1 == u1 || $1 == u2)' "$x/marks.csv" | wc -l)" \
	"the rejected pupils' marks are refused as not on the register, and nothing else"
assert_eq "$(psql_val "select count(*) from pupil where school_urn = $a")" \
	"$(($(wc -l <"$T/p.csv") - 1 - 3))" "every other pupil stored"

# The register refuses a batch (a trigger stands in for a database-side failure, with row
# values in its DETAIL as PostgreSQL's own errors have): the client hears neither its text nor
# any counts, nothing of the batch is stored, and the export is read again next time.
sentinel=Zzsentinelname
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE FUNCTION test_boom() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    IF NEW.surname = '$sentinel' THEN
        RAISE EXCEPTION 'sentinel-db-text' USING DETAIL = 'Failing row contains (' || NEW.surname || ')';
    END IF;
    RETURN NEW;
END \$\$;
CREATE TRIGGER test_boom BEFORE INSERT ON pupil FOR EACH ROW EXECUTE FUNCTION test_boom();
SQL
y=$T/trust/$b
awk -F, -v OFS=, -v s="$sentinel" 'NR == 3 { $2 = s } { print }' "$y/pupils.csv" >"$T/q.csv"
mv "$T/q.csv" "$y/pupils.csv"
push "$b" "$y"
assert_eq "$PUSH_STATUS" 4 "exit 4: a batch was refused"
assert_grep 'the register could not store this batch' "$T/push.err" "the refusal says what happened"
for f in "$T/push.err" "$T/push.out" "$T/daemon.log"; do
	if grep -q -e sentinel-db-text -e "$sentinel" "$f" && [ "$f" != "$T/daemon.log" ]; then
		rc_fail "$(basename "$f") carries the database's text"
	fi
	if grep -q "$sentinel" "$f"; then rc_fail "$(basename "$f") carries a pupil's name"; fi
done
echo "ok - no database text in the answer, no name anywhere"
assert_grep '^school [0-9]+: 0 pupils, 0 contacts, 0 marks' "$T/push.out" "a refused batch counts nothing"
assert_eq "$(psql_val "select count(*) from pupil where school_urn = $b")" 0 "nothing of the refused batch stored"
push "$b" "$y"
if grep -q "has not changed" "$T/push.err"; then rc_fail "an export with a refused batch was taken for sent"; fi
assert_eq "$PUSH_STATUS" 4 "read again, and refused again while the fault lasts"
psql -X -q -c "DROP TRIGGER test_boom ON pupil"
push "$b" "$y"
assert_eq "$PUSH_STATUS" 0 "once the fault is gone the unchanged export is read again and lands"
assert_eq "$(psql_val "select count(*) from pupil where school_urn = $b")" "$(($(wc -l <"$y/pupils.csv") - 1))" "every pupil stored"
assert_eq "$(psql_val "select count(*) from mark_version where school_urn = $b")" "$(($(wc -l <"$y/marks.csv") - 1))" "every mark stored"
daemon_stop
