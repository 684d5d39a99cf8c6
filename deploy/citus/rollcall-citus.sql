-- Rollcall on Citus: the schema distributed by school. Every table of the schema is placed
-- here exactly once: a reference table (small, read with every school's rows, copied to every
-- node), a local table on the coordinator, or a table distributed by school_urn, co-located
-- with pupil so that everything of one school lives on one node and a school's joins and
-- transactions stay there.
--
-- Run it once on the coordinator as the schema owner, after the first "rollcall migrate" and
-- after citus_add_node() for every worker node:
--     psql -v ON_ERROR_STOP=1 -d rollcall -f /usr/share/rollcall/citus/rollcall-citus.sql
-- A later migration that adds a table adds its line here (and is run on the coordinator):
-- integration.citus_plan fails until it does, and it also fails when a table or a unique key
-- is one Citus could not distribute by school_urn.
--
-- Citus is not packaged for Debian 12, so that test runs this file on plain PostgreSQL with
-- the three Citus functions replaced by recorders, and checks the migrated catalog against
-- the rules Citus enforces (unique keys and foreign keys include the distribution column,
-- foreign keys only towards reference tables or co-located ones, bigint identity columns). It
-- has not been run against a Citus cluster here.

-- The register's append-only triggers (BEFORE UPDATE OR DELETE, BEFORE TRUNCATE) run on the
-- shards, where they only refuse the change; Citus asks for this to distribute a table that has
-- triggers.
SET citus.enable_unsafe_triggers = on;

-- 1. Unique keys that do not start from the school. batch_no is an identity (so unique by
-- construction); Citus can only enforce a unique key that holds the distribution column, and
-- every use of batch_no (rejected_item, pupil.first_batch, the writer) goes with the school.
ALTER TABLE batch DROP CONSTRAINT batch_batch_no_key;
ALTER TABLE batch ADD CONSTRAINT batch_school_urn_batch_no_key UNIQUE (school_urn, batch_no);

-- 2. Reference tables: a copy on every node, so a school's shard joins them locally.
-- Local authorities and schools: 22,000 schools nationally, written by an operator.
SELECT create_reference_table('la');
SELECT create_reference_table('school');
-- The CURVE keys: keyed by school, but rollcalld loads them all at start and on reload and
-- looks a key up without knowing its school (the ZAP handshake comes before any batch), and an
-- operator changes them; about one row per school.
SELECT create_reference_table('school_key');
-- National benchmarks: a few dozen rows, the same for every school.
SELECT create_reference_table('benchmark');
-- Per-LA settings of the statutory returns: one row per local authority, set by an operator.
SELECT create_reference_table('la_setting');
-- Attendance category boundaries: the trust's row and one per LA that sets its own, read with
-- every school's figures.
SELECT create_reference_table('attendance_setting');
-- One row per LA and month a return was generated for: small, written once a month per LA.
SELECT create_reference_table('la_return_run');

-- 3. Local tables on the coordinator.
-- The migration ledger: read and written by "rollcall migrate" on the coordinator only.
SELECT citus_add_local_table_to_metadata('rollcall_migration');
-- The job queue: keyed by job id (a trust-wide report has no school), claimed with
-- FOR UPDATE SKIP LOCKED by every worker and kept small; its foreign key to school (a
-- reference table) is why it is added to the metadata rather than left alone.
SELECT citus_add_local_table_to_metadata('job');
-- What each queued LA return is for: one row per LA job, with a foreign key to job.
SELECT citus_add_local_table_to_metadata('la_return_request');
-- The maintenance log: one row per retention run and per action, written by rollcall_retention
-- on the coordinator (where the register's partitions are made and dropped).
SELECT citus_add_local_table_to_metadata('maintenance_log');

-- 4. Distributed by school_urn and co-located with pupil: a school's pupils, characteristics,
-- contacts, calendar, register (with every yearly partition, present and future), batches,
-- rejections, change log and results share one shard.
SELECT create_distributed_table('pupil', 'school_urn');
SELECT create_distributed_table('pupil_characteristic', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('pupil_spell', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('contact', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('school_session', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('mark_version', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('batch', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('rejected_item', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('register_change', 'school_urn', colocate_with => 'pupil');
-- The results are unlogged (derived, recomputed after a crash); their shards are unlogged too.
SELECT create_distributed_table('school_result', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('enrolment_result', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('cohort_result', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('category_result', 'school_urn', colocate_with => 'pupil');
SELECT create_distributed_table('week_result', 'school_urn', colocate_with => 'pupil');
-- What each LA return listed, per school (the return itself gathers an LA's schools).
SELECT create_distributed_table('la_return_item', 'school_urn', colocate_with => 'pupil');
-- The actions agreed at each school's Targeting Support Meetings.
SELECT create_distributed_table('tsm_action', 'school_urn', colocate_with => 'pupil');
-- Each school's rows of an LA return, computed where the school is held, until put together.
SELECT create_distributed_table('la_return_part', 'school_urn', colocate_with => 'pupil');
