-- Rollcall schema, version 2: what the report workers need. A change log per school (so a
-- worker can refresh a school from the days that changed), per-school results as of a day
-- (per enrolment, per cohort, per week, per category), job progress, and national benchmarks
-- as data the trust can update (domain.md §10).

-- One row per committed group that changed a school's register, calendar or pupils: the
-- earliest date it affects. Workers keep a school's register in memory and reload only the
-- days from the earliest change they have not seen. Pruned by the workers after a week.
CREATE TABLE register_change (
    school_urn  integer NOT NULL REFERENCES school,
    change_id   bigint GENERATED ALWAYS AS IDENTITY,
    from_date   date NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_urn, change_id)
);

-- A school's results as of a day, and the last change they include.
CREATE TABLE school_result (
    school_urn      integer NOT NULL REFERENCES school,
    as_of           date NOT NULL,
    change_id       bigint NOT NULL,
    computed_at     timestamptz NOT NULL DEFAULT now(),
    term_year       integer,
    term_name       text,
    term_first      date,
    ytd_first       date,
    term_period_first date,
    last4w_first    date,
    unmarked        bigint NOT NULL DEFAULT 0,
    outside_population integer NOT NULL DEFAULT 0,
    PRIMARY KEY (school_urn, as_of)
);

-- Per-enrolment figures (period 0 ytd, 1 term, 2 last4w) so reports do not recompute from the
-- raw register. flags: 1 in headline population, 2 PA, 4 SA, 8 penalty threshold, 16 on roll,
-- 32 compulsory school age.
CREATE TABLE enrolment_result (
    school_urn      integer NOT NULL,
    as_of           date NOT NULL,
    pupil_id        integer NOT NULL,
    period          smallint NOT NULL,
    possible        integer NOT NULL,
    present         integer NOT NULL,
    aea             integer NOT NULL,
    authorised      integer NOT NULL,
    unauthorised    integer NOT NULL,
    unmarked        integer NOT NULL,
    category        text NOT NULL,
    flags           smallint NOT NULL,
    illness_ytd     integer NOT NULL,
    penalty_sessions integer NOT NULL,
    PRIMARY KEY (school_urn, as_of, pupil_id, period),
    FOREIGN KEY (school_urn, as_of) REFERENCES school_result ON DELETE CASCADE
);

-- Cohort sums over the headline population (cohort 'all' is everyone in it).
CREATE TABLE cohort_result (
    school_urn      integer NOT NULL,
    as_of           date NOT NULL,
    period          smallint NOT NULL,
    cohort          text NOT NULL,
    in_cohort       boolean NOT NULL,
    pupils          bigint NOT NULL,
    possible        bigint NOT NULL,
    absence         bigint NOT NULL,
    authorised      bigint NOT NULL,
    unauthorised    bigint NOT NULL,
    pa_pupils       bigint NOT NULL,
    sa_pupils       bigint NOT NULL,
    PRIMARY KEY (school_urn, as_of, period, cohort, in_cohort),
    FOREIGN KEY (school_urn, as_of) REFERENCES school_result ON DELETE CASCADE
);

CREATE TABLE category_result (
    school_urn      integer NOT NULL,
    as_of           date NOT NULL,
    period          smallint NOT NULL,
    category        text NOT NULL,
    pupils          integer NOT NULL,
    PRIMARY KEY (school_urn, as_of, period, category),
    FOREIGN KEY (school_urn, as_of) REFERENCES school_result ON DELETE CASCADE
);

CREATE TABLE week_result (
    school_urn      integer NOT NULL,
    as_of           date NOT NULL,
    week_start      date NOT NULL,
    possible        bigint NOT NULL,
    absence         bigint NOT NULL,
    PRIMARY KEY (school_urn, as_of, week_start),
    FOREIGN KEY (school_urn, as_of) REFERENCES school_result ON DELETE CASCADE
);

ALTER TABLE job ADD COLUMN progress text NOT NULL DEFAULT '';
ALTER TABLE job ADD COLUMN result text NOT NULL DEFAULT '';
CREATE INDEX job_by_state ON job (state, updated_at);

-- National (or LA) benchmarks, in tenths of a percent. The trust updates them with
-- "rollcall benchmark import FILE"; these rows are the published figures of domain.md §10.
CREATE TABLE benchmark (
    year        text NOT NULL,          -- '2023/24'
    phase       text NOT NULL,          -- 'all', 'primary', 'secondary', 'special'
    measure     text NOT NULL,          -- 'overall_absence', 'authorised', 'unauthorised',
                                        -- 'severe_absence', 'absence', 'pa'
    cohort      text NOT NULL DEFAULT '', -- '' whole schools; 'fsm', 'not_fsm', 'ehcp', ...
    tenths      integer NOT NULL CHECK (tenths BETWEEN 0 AND 1000),
    source      text NOT NULL DEFAULT '',
    PRIMARY KEY (year, phase, measure, cohort)
);

INSERT INTO benchmark (year, phase, measure, cohort, tenths, source) VALUES
    ('2022/23', 'all',       'overall_absence', '', 74, 'DfE school census, state-funded'),
    ('2022/23', 'primary',   'overall_absence', '', 59, 'DfE school census, state-funded'),
    ('2022/23', 'secondary', 'overall_absence', '', 90, 'DfE school census, state-funded'),
    ('2022/23', 'special',   'overall_absence', '', 130, 'DfE school census, state-funded'),
    ('2022/23', 'primary',   'authorised', '', 42, 'DfE school census, state-funded'),
    ('2022/23', 'secondary', 'authorised', '', 56, 'DfE school census, state-funded'),
    ('2022/23', 'special',   'authorised', '', 99, 'DfE school census, state-funded'),
    ('2022/23', 'primary',   'unauthorised', '', 16, 'DfE school census, state-funded'),
    ('2022/23', 'secondary', 'unauthorised', '', 34, 'DfE school census, state-funded'),
    ('2022/23', 'special',   'unauthorised', '', 32, 'DfE school census, state-funded'),
    ('2022/23', 'all',       'severe_absence', '', 20, 'DfE school census, state-funded (about)'),
    ('2023/24', 'all',       'overall_absence', '', 71, 'DfE school census, state-funded'),
    ('2023/24', 'primary',   'overall_absence', '', 55, 'DfE school census, state-funded'),
    ('2023/24', 'secondary', 'overall_absence', '', 89, 'DfE school census, state-funded'),
    ('2023/24', 'special',   'overall_absence', '', 130, 'DfE school census, state-funded'),
    ('2023/24', 'primary',   'authorised', '', 39, 'DfE school census, state-funded'),
    ('2023/24', 'secondary', 'authorised', '', 54, 'DfE school census, state-funded'),
    ('2023/24', 'special',   'authorised', '', 97, 'DfE school census, state-funded'),
    ('2023/24', 'primary',   'unauthorised', '', 16, 'DfE school census, state-funded'),
    ('2023/24', 'secondary', 'unauthorised', '', 35, 'DfE school census, state-funded'),
    ('2023/24', 'special',   'unauthorised', '', 33, 'DfE school census, state-funded'),
    ('2023/24', 'all',       'severe_absence', '', 23, 'DfE school census, state-funded'),
    ('2024/25 autumn', 'all', 'absence', 'fsm', 100, 'DfE daily attendance data'),
    ('2024/25 autumn', 'all', 'pa', 'fsm', 317, 'DfE daily attendance data'),
    ('2024/25 autumn', 'all', 'absence', 'not_fsm', 52, 'DfE daily attendance data'),
    ('2024/25 autumn', 'all', 'pa', 'not_fsm', 144, 'DfE daily attendance data'),
    ('2024/25 autumn', 'all', 'absence', 'ehcp', 131, 'DfE daily attendance data'),
    ('2024/25 autumn', 'all', 'pa', 'ehcp', 351, 'DfE daily attendance data'),
    ('2024/25 autumn', 'all', 'absence', 'sen_k', 101, 'DfE daily attendance data'),
    ('2024/25 autumn', 'all', 'pa', 'sen_k', 290, 'DfE daily attendance data'),
    ('2024/25 autumn', 'all', 'absence', 'no_sen', 58, 'DfE daily attendance data'),
    ('2024/25 autumn', 'all', 'pa', 'no_sen', 170, 'DfE daily attendance data');
