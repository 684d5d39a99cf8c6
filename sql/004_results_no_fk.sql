-- Rollcall schema, version 4: the per-school result rows are written only by a worker, in the
-- same transaction that replaces their school_result row, so the foreign keys to school_result
-- only cost a check per inserted row (two thirds of a large school's store time). They go;
-- the worker deletes a school's rows explicitly before writing them again.
ALTER TABLE enrolment_result DROP CONSTRAINT enrolment_result_school_urn_as_of_fkey;
ALTER TABLE cohort_result DROP CONSTRAINT cohort_result_school_urn_as_of_fkey;
ALTER TABLE category_result DROP CONSTRAINT category_result_school_urn_as_of_fkey;
ALTER TABLE week_result DROP CONSTRAINT week_result_school_urn_as_of_fkey;
