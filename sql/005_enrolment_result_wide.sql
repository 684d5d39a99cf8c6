-- Rollcall schema, version 5: one per-enrolment result row per pupil, with the three periods
-- as columns (ytd_, term_, last4w_), instead of a row per period. A worker rewrites a school's
-- rows after every change; a third of the rows (and of the primary key entries) makes that
-- store about three times cheaper. flags, per period: 1 in the headline population, 2 PA,
-- 4 SA, 8 at the penalty threshold, 16 on roll, 32 of compulsory school age.
-- Results are derived: clearing them all makes the workers compute every school again.
DROP TABLE enrolment_result;
TRUNCATE school_result, cohort_result, category_result, week_result;
CREATE UNLOGGED TABLE enrolment_result (
    school_urn          integer NOT NULL,
    as_of               date NOT NULL,
    pupil_id            integer NOT NULL,
    illness_ytd         integer NOT NULL,
    penalty_sessions    integer NOT NULL,
    ytd_possible        integer NOT NULL,
    ytd_present         integer NOT NULL,
    ytd_aea             integer NOT NULL,
    ytd_authorised      integer NOT NULL,
    ytd_unauthorised    integer NOT NULL,
    ytd_unmarked        integer NOT NULL,
    ytd_category        text NOT NULL,
    ytd_flags           smallint NOT NULL,
    term_possible       integer NOT NULL,
    term_present        integer NOT NULL,
    term_aea            integer NOT NULL,
    term_authorised     integer NOT NULL,
    term_unauthorised   integer NOT NULL,
    term_unmarked       integer NOT NULL,
    term_category       text NOT NULL,
    term_flags          smallint NOT NULL,
    last4w_possible     integer NOT NULL,
    last4w_present      integer NOT NULL,
    last4w_aea          integer NOT NULL,
    last4w_authorised   integer NOT NULL,
    last4w_unauthorised integer NOT NULL,
    last4w_unmarked     integer NOT NULL,
    last4w_category     text NOT NULL,
    last4w_flags        smallint NOT NULL,
    PRIMARY KEY (school_urn, as_of, pupil_id)
);
