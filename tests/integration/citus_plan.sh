#!/usr/bin/env bash
# The plan for distributing the database by school (deploy/citus/rollcall-citus.sql) stays true
# as the schema and the code change. On a freshly migrated throwaway cluster the DDL is run with
# Citus's three placement functions replaced by recorders (Citus is not packaged for Debian
# 12), then the catalog is checked against the rules Citus enforces:
#   - every table of the schema is placed exactly once (reference, local or distributed);
#   - a distributed table is distributed by school_urn (integer, like the rest of its
#     co-location group) and co-located with pupil;
#   - every primary key, unique key or exclusion constraint of a distributed table (and of each
#     of its partitions) holds school_urn;
#   - foreign keys run distributed -> reference, reference -> reference, local -> reference or
#     local, or distributed -> distributed through school_urn on both sides;
#   - identity columns are bigint.
# Each rule is shown to fail on a violation made for the purpose (then rolled back). Then the
# SQL of the hot paths (daemon/, worker/, lib/queue.c) is checked by tests/tools/sqlscope:
# every statement touching a distributed table (or a view over one) is pinned to a school, or
# listed with its reason in deploy/citus/multi-school-queries.txt; shown to fail on a statement
# added for the purpose.
source "$(dirname "$0")/harness.sh"
rc_setup
pg_start
"$RC_BIN_ADMIN" migrate >/dev/null
DDL=$ROLLCALL_SRC/deploy/citus/rollcall-citus.sql
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_q <<'SQL'
CREATE SCHEMA citus_plan;
CREATE TABLE citus_plan.placement (
    rel regclass PRIMARY KEY,
    how text NOT NULL,
    dist_column text,
    colocate_with text
);
-- The signatures of Citus 11-12's functions, recording what they are asked to do. A table placed
-- twice violates the primary key; a table that does not exist fails the regclass cast.
CREATE FUNCTION citus_plan.create_reference_table(table_name regclass) RETURNS void
    LANGUAGE sql AS $$ INSERT INTO citus_plan.placement VALUES (table_name, 'reference') $$;
CREATE FUNCTION citus_plan.citus_add_local_table_to_metadata(table_name regclass,
        cascade_via_foreign_keys boolean DEFAULT false) RETURNS void
    LANGUAGE sql AS $$ INSERT INTO citus_plan.placement VALUES (table_name, 'local') $$;
CREATE FUNCTION citus_plan.create_distributed_table(table_name regclass,
        distribution_column text, distribution_type text DEFAULT 'hash',
        colocate_with text DEFAULT 'default', shard_count integer DEFAULT NULL) RETURNS void
    LANGUAGE sql AS $$ INSERT INTO citus_plan.placement
                       VALUES (table_name, 'distributed', distribution_column, colocate_with) $$;

-- Every table with the placement of its root (a partition counts as its root;
-- pg_partition_root is NULL for a table outside any partition tree).
CREATE VIEW citus_plan.placed AS
    SELECT c.oid AS relid, p.how, p.dist_column
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
      JOIN citus_plan.placement p ON p.rel = coalesce(pg_partition_root(c.oid), c.oid)
     WHERE c.relkind IN ('r', 'p');

CREATE VIEW citus_plan.violation AS
WITH anchor AS (
    SELECT rel FROM citus_plan.placement WHERE how = 'distributed' AND colocate_with = 'default'
)
SELECT 'not placed by deploy/citus/rollcall-citus.sql' AS rule, c.oid::regclass::text AS what
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND NOT EXISTS (SELECT 1 FROM citus_plan.placement p WHERE p.rel = c.oid)
UNION ALL
SELECT 'placed, but a partition or not in the schema', p.rel::text
  FROM citus_plan.placement p JOIN pg_class c ON c.oid = p.rel
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relispartition OR n.nspname <> 'public' OR c.relkind NOT IN ('r', 'p')
UNION ALL
SELECT 'distributed by ' || p.dist_column || ', not school_urn', p.rel::text
  FROM citus_plan.placement p WHERE p.how = 'distributed' AND p.dist_column <> 'school_urn'
UNION ALL
SELECT 'distributed by school_urn, which it lacks or has as ' ||
       coalesce(format_type(a.atttypid, NULL), 'nothing') || ' (the group is integer)', p.rel::text
  FROM citus_plan.placement p
  LEFT JOIN pg_attribute a ON a.attrelid = p.rel AND a.attname = 'school_urn' AND NOT a.attisdropped
 WHERE p.how = 'distributed' AND (a.atttypid IS DISTINCT FROM 'integer'::regtype OR NOT a.attnotnull)
UNION ALL
SELECT 'not co-located with ' || coalesce((SELECT string_agg(rel::text, ',') FROM anchor), 'any table')
       || ' (colocate_with ' || p.colocate_with || ')', p.rel::text
  FROM citus_plan.placement p
 WHERE p.how = 'distributed'
   AND ((SELECT count(*) FROM anchor) <> 1
        OR (p.colocate_with <> 'default' AND p.colocate_with <> (SELECT rel::text FROM anchor)))
UNION ALL
SELECT 'unique key ' || i.indexrelid::regclass::text || ' does not hold school_urn',
       t.relid::regclass::text
  FROM pg_index i JOIN citus_plan.placed t ON t.relid = i.indrelid
 WHERE t.how = 'distributed' AND (i.indisunique OR i.indisexclusion)
   AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey::int2[]) k
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k
                    WHERE a.attname = 'school_urn')
UNION ALL
SELECT 'foreign key ' || con.conname || ' runs ' || f.how || ' -> ' || coalesce(r.how, 'unplaced'),
       con.conrelid::regclass::text
  FROM pg_constraint con
  JOIN citus_plan.placed f ON f.relid = con.conrelid
  LEFT JOIN citus_plan.placed r ON r.relid = con.confrelid
 WHERE con.contype = 'f' AND con.conparentid = 0
   AND NOT ((f.how = 'distributed' AND r.how = 'reference')
         OR (f.how = 'reference' AND r.how = 'reference')
         OR (f.how = 'local' AND r.how IN ('reference', 'local'))
         OR (f.how = 'distributed' AND r.how = 'distributed'
             AND EXISTS (SELECT 1 FROM unnest(con.conkey, con.confkey) AS k(a, b)
                           JOIN pg_attribute fa ON fa.attrelid = con.conrelid AND fa.attnum = k.a
                           JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.b
                          WHERE fa.attname = 'school_urn' AND ra.attname = 'school_urn')))
UNION ALL
SELECT 'identity column ' || a.attname || ' is ' || format_type(a.atttypid, NULL) ||
       ' (Citus takes bigint only)', p.rel::text
  FROM citus_plan.placement p JOIN pg_attribute a ON a.attrelid = p.rel
 WHERE a.attidentity <> '' AND NOT a.attisdropped AND a.atttypid <> 'bigint'::regtype;
SQL

# The DDL, as an operator runs it on the coordinator (the recorders first on the path).
PGOPTIONS='-c search_path=citus_plan,public' psql_q -f "$DDL" >/dev/null ||
	rc_fail "deploy/citus/rollcall-citus.sql failed on the migrated schema"
echo "ok - the Citus DDL runs on the migrated schema"
counts=$(psql_val "SELECT string_agg(how || ' ' || n, ', ' ORDER BY how) FROM (SELECT how, count(*) n FROM citus_plan.placement GROUP BY how) s")
echo "ok - placed: $counts"

violations() { psql -X -A -t -F ': ' -v ON_ERROR_STOP=1 -c "SELECT what, rule FROM citus_plan.violation ORDER BY 1, 2"; }
v=$(violations)
[ -z "$v" ] || rc_fail "the schema cannot be distributed as planned:
$v"
echo "ok - every table placed once; keys and foreign keys as Citus needs them"

# Each rule fails on a violation made for the purpose.
expect_violation() { # WHAT SQL... : the violation appears once SQL has run (rolled back after)
	local what=$1 out
	shift
	out=$(psql -X -A -t -F ': ' -v ON_ERROR_STOP=1 <<-SQL
	BEGIN;
	$*
	SELECT what, rule FROM citus_plan.violation;
	ROLLBACK;
	SQL
	)
	grep -qE -- "$what" <<<"$out" || rc_fail "the check missed: $what (got: ${out:-nothing})"
	echo "ok - the check catches: $(grep -E -- "$what" <<<"$out" | head -n 1)"
}
expect_violation '^selftest_new: not placed' 'CREATE TABLE selftest_new (school_urn integer NOT NULL, x integer);'
expect_violation '^pupil: unique key selftest_upn does not hold school_urn' 'CREATE UNIQUE INDEX selftest_upn ON pupil (upn);'
part=$(psql_val "SELECT min(inhrelid::regclass::text) FROM pg_inherits WHERE inhparent = 'mark_version'::regclass")
expect_violation "^$part: unique key selftest_part does not hold school_urn" \
	"CREATE UNIQUE INDEX selftest_part ON $part (date, pupil_id, session, version);"
expect_violation '^benchmark: foreign key .* runs reference -> distributed' \
	'ALTER TABLE benchmark ADD COLUMN school_urn integer, ADD COLUMN pupil_id integer, ADD FOREIGN KEY (school_urn, pupil_id) REFERENCES pupil;'
expect_violation '^rejected_item: identity column n is integer' \
	'ALTER TABLE rejected_item ADD COLUMN n integer GENERATED ALWAYS AS IDENTITY;'
expect_violation '^week_result: distributed by school_urn, which it lacks' \
	'ALTER TABLE week_result ALTER COLUMN school_urn TYPE bigint;'

# The hot paths' SQL. The distributed tables come from what the DDL recorded, with the views
# that read them.
tables=$(psql_val "SELECT string_agg(x, ',') FROM (
    SELECT rel::text AS x FROM citus_plan.placement WHERE how = 'distributed'
    UNION SELECT DISTINCT v.oid::regclass::text FROM pg_rewrite w
      JOIN pg_class v ON v.oid = w.ev_class AND v.relkind = 'v'
      JOIN pg_depend d ON d.objid = w.oid
      JOIN citus_plan.placement p ON p.rel = d.refobjid AND p.how = 'distributed') s")
grep -q 'mark_current' <<<"$tables" || rc_fail "the view mark_current was not found among the distributed relations"
ALLOW=$ROLLCALL_SRC/deploy/citus/multi-school-queries.txt
SCOPE=$ROLLCALL_BUILD/tests/tools/sqlscope
cd "$ROLLCALL_SRC"
hot=$(ls daemon/*.c worker/*.c lib/queue.c)
set +e
"$SCOPE" --allow "$ALLOW" "$tables" $hot >"$T/scope.out" 2>&1
status=$?
set -e
[ $status -eq 0 ] || { cat "$T/scope.out" >&2; rc_fail "SQL on a hot path is not pinned to a school (fix it, or list it with its reason in deploy/citus/multi-school-queries.txt)"; }
echo "ok - every statement on the hot paths ($(echo $hot | wc -w) files) is pinned to a school or listed with its reason"

# ... and a statement that reads every school, or one whose allow-list entry has gone, fails.
mkdir -p "$T/src/worker"
cp worker/school.c "$T/src/worker/school.c"
cat >>"$T/src/worker/school.c" <<-'C'
	static int selftest_count(PGconn *conn)
	{
		return query(conn, "SELECT count(*) FROM pupil WHERE leaving_date IS NULL", 0, NULL,
		             NULL, 0) != NULL;
	}
	static int selftest_joined(PGconn *conn)
	{
		return query(conn, "SELECT count(*) FROM pupil p JOIN pupil_characteristic c"
		                   " USING (school_urn, pupil_id) WHERE c.fsm", 0, NULL, NULL, 0) != NULL;
	}
	static int selftest_pinned(PGconn *conn, const char *const *p)
	{
		return query(conn, "SELECT count(*) FROM pupil p JOIN pupil_characteristic c"
		                   " USING (school_urn, pupil_id) WHERE p.school_urn = $1", 1, p, NULL, 0) != NULL;
	}
C
set +e
"$SCOPE" "$tables" "$T/src/worker/school.c" >"$T/self.out" 2>&1
status=$?
set -e
[ $status -eq 1 ] || { cat "$T/self.out" >&2; rc_fail "sqlscope passed a statement that reads every school"; }
assert_grep 'school.c:[0-9]+: selftest_count: pupil: no school_urn restriction' "$T/self.out" "sqlscope catches a statement that reads every school"
assert_grep 'school.c:[0-9]+: selftest_joined: pupil_characteristic: joined by school_urn but not pinned' "$T/self.out" "sqlscope catches a join by school that no school pins"
assert_eq "$(grep -c selftest_pinned "$T/self.out" || true)" "0" "sqlscope passes the same join pinned to a school"
{ cat "$ALLOW"; echo "worker/gone.c gone_function pupil -- an entry for code that was removed"; } >"$T/allow.txt"
set +e
"$SCOPE" --allow "$T/allow.txt" "$tables" $hot >"$T/stale.out" 2>&1
status=$?
set -e
[ $status -eq 1 ] && grep -q 'stale entry: worker/gone.c gone_function pupil' "$T/stale.out" ||
	{ cat "$T/stale.out" >&2; rc_fail "sqlscope kept a stale allow-list entry"; }
echo "ok - sqlscope refuses an allow-list entry that matches nothing"
