-- Rollcall schema, version 3: the result tables hold derived figures only (recomputed from the
-- register whenever they are missing or older than its latest change), so they need no WAL.
-- After a crash PostgreSQL empties unlogged tables; the workers then compute again.
ALTER TABLE enrolment_result SET UNLOGGED;
ALTER TABLE cohort_result SET UNLOGGED;
ALTER TABLE category_result SET UNLOGGED;
ALTER TABLE week_result SET UNLOGGED;
ALTER TABLE school_result SET UNLOGGED;
