-- Rollcall schema, version 1: reference data, the admission register with effective-dated
-- characteristics, the append-only attendance register, the batch ledger and the job queue.
-- school_urn leads every key so the schema can be distributed by school; transactions and joins
-- stay within one school.

CREATE TABLE la (
    la_code     smallint PRIMARY KEY CHECK (la_code BETWEEN 100 AND 999),
    name        text NOT NULL
);

CREATE TABLE school (
    school_urn  integer PRIMARY KEY CHECK (school_urn BETWEEN 100000 AND 999999),
    laestab     integer NOT NULL UNIQUE CHECK (laestab BETWEEN 1000000 AND 9999999),
    name        text NOT NULL,
    phase       text NOT NULL CHECK (phase IN ('nursery', 'primary', 'middle', 'secondary',
                                               'all-through', 'special', 'alternative')),
    la_code     smallint NOT NULL REFERENCES la,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (laestab / 10000 = la_code)
);

-- CURVE public keys (Z85, 40 characters) allowed to write a school. One key may serve several
-- schools (a trust's MIS connector): one row per school.
CREATE TABLE school_key (
    school_urn  integer NOT NULL REFERENCES school,
    public_key  text NOT NULL CHECK (length(public_key) = 40),
    label       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    PRIMARY KEY (school_urn, public_key)
);
CREATE INDEX school_key_active ON school_key (public_key) WHERE revoked_at IS NULL;

-- The batch ledger: one row per committed batch, so a resend is recognised and answered with
-- the ack it got the first time.
CREATE TABLE batch (
    school_urn      integer NOT NULL REFERENCES school,
    batch_id        text NOT NULL,
    batch_no        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    received_at     timestamptz NOT NULL DEFAULT now(),
    public_key      text NOT NULL,
    source          text NOT NULL DEFAULT '',
    exported_on     date,
    pupils          integer NOT NULL DEFAULT 0,
    contacts        integer NOT NULL DEFAULT 0,
    marks           integer NOT NULL DEFAULT 0,
    sessions        integer NOT NULL DEFAULT 0,
    accepted        integer NOT NULL DEFAULT 0,
    rejected        integer NOT NULL DEFAULT 0,
    new_versions    integer NOT NULL DEFAULT 0,
    ack             bytea NOT NULL,
    PRIMARY KEY (school_urn, batch_id)
);

-- Items refused by validation, for the school to correct. No names: UPN, line, field, reason.
CREATE TABLE rejected_item (
    school_urn  integer NOT NULL,
    batch_no    bigint NOT NULL,
    kind        smallint NOT NULL,  -- 1 pupil, 2 contact, 3 mark, 4 session
    item_index  integer NOT NULL,
    line        integer,
    upn         text,
    field       text NOT NULL,
    reason      text NOT NULL,
    PRIMARY KEY (school_urn, batch_no, kind, item_index)
);

-- The admission register. Identity and address describe the pupil as last sent; the
-- characteristics that define cohorts are kept with their history in pupil_characteristic.
CREATE SEQUENCE pupil_id_seq AS integer;
CREATE TABLE pupil (
    school_urn          integer NOT NULL REFERENCES school,
    pupil_id            integer NOT NULL DEFAULT nextval('pupil_id_seq'),
    upn                 text NOT NULL CHECK (length(upn) = 13),
    surname             text NOT NULL,
    forename            text NOT NULL,
    preferred_forename  text,
    date_of_birth       date NOT NULL,
    sex                 char(1) NOT NULL DEFAULT 'U' CHECK (sex IN ('M', 'F', 'U')),
    admission_date      date NOT NULL,
    leaving_date        date,
    leaving_reason      text,
    address_line1       text,
    address_line2       text,
    town                text,
    postcode            text,
    ethnicity           text,
    first_batch         bigint NOT NULL,
    last_batch          bigint NOT NULL,
    entered_at          timestamptz NOT NULL DEFAULT now(),  -- name entered in Rollcall
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_urn, pupil_id),
    UNIQUE (school_urn, upn),
    CHECK (leaving_date IS NULL OR leaving_date >= admission_date)
);

CREATE TABLE pupil_characteristic (
    school_urn              integer NOT NULL,
    pupil_id                integer NOT NULL,
    valid_from              date NOT NULL,
    nc_year                 text,
    boarder                 boolean NOT NULL DEFAULT false,
    pupil_premium           boolean NOT NULL DEFAULT false,
    fsm                     boolean NOT NULL DEFAULT false,
    sen                     char(1) NOT NULL DEFAULT 'N' CHECK (sen IN ('N', 'K', 'E')),
    social_care             text NOT NULL DEFAULT '' CHECK (social_care IN ('', 'CIN', 'CPP', 'CLA')),
    previously_looked_after boolean NOT NULL DEFAULT false,
    eal                     boolean NOT NULL DEFAULT false,
    batch_no                bigint NOT NULL,
    PRIMARY KEY (school_urn, pupil_id, valid_from),
    FOREIGN KEY (school_urn, pupil_id) REFERENCES pupil
);

CREATE TABLE contact (
    school_urn      integer NOT NULL,
    pupil_id        integer NOT NULL,
    seq             smallint NOT NULL,
    name            text NOT NULL,
    relationship    text,
    lives_with      boolean NOT NULL DEFAULT false,
    address         text,
    phone           text,
    priority        smallint,
    PRIMARY KEY (school_urn, pupil_id, seq),
    FOREIGN KEY (school_urn, pupil_id) REFERENCES pupil
);

-- The school's sessions (calendar.csv). Session 0 = AM, 1 = PM.
CREATE TABLE school_session (
    school_urn  integer NOT NULL REFERENCES school,
    date        date NOT NULL,
    session     smallint NOT NULL CHECK (session IN (0, 1)),
    open        boolean NOT NULL,
    PRIMARY KEY (school_urn, date, session)
);

-- The legal attendance register: every accepted mark that differs from the current one is a
-- new version; nothing is updated or deleted (triggers below). The current mark is the highest
-- version. Key order (school, date, pupil, session) keeps a night's marks in one narrow key
-- range. Partitioned by academic year (1 Aug - 31 Jul) so retention drops whole years.
CREATE TABLE mark_version (
    school_urn          integer NOT NULL,
    date                date NOT NULL,
    pupil_id            integer NOT NULL,
    session             smallint NOT NULL CHECK (session IN (0, 1)),
    version             smallint NOT NULL CHECK (version >= 1),
    code                text NOT NULL,
    minutes_late        smallint,
    recorded_at         timestamptz,
    recorded_by         text NOT NULL DEFAULT '',
    amendment_reason    text,
    batch_no            bigint NOT NULL,
    PRIMARY KEY (school_urn, date, pupil_id, session, version)
) PARTITION BY RANGE (date);

CREATE FUNCTION rollcall_year_partition(ay integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE IF NOT EXISTS mark_version_%s PARTITION OF mark_version '
                   'FOR VALUES FROM (%L) TO (%L)', ay,
                   make_date(ay, 8, 1), make_date(ay + 1, 8, 1));
END $$;

CREATE FUNCTION rollcall_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the attendance register is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER mark_version_append_only BEFORE UPDATE OR DELETE ON mark_version
    FOR EACH ROW EXECUTE FUNCTION rollcall_forbid_change();
CREATE TRIGGER mark_version_no_truncate BEFORE TRUNCATE ON mark_version
    FOR EACH STATEMENT EXECUTE FUNCTION rollcall_forbid_change();

-- Current marks, derived. A filter on school_urn/date is pushed below the DISTINCT ON.
CREATE VIEW mark_current AS
    SELECT DISTINCT ON (school_urn, date, pupil_id, session)
           school_urn, date, pupil_id, session, version, code, minutes_late, recorded_at,
           recorded_by, amendment_reason, batch_no
      FROM mark_version
     ORDER BY school_urn, date, pupil_id, session, version DESC;

-- The job queue the workers take from (FOR UPDATE SKIP LOCKED). Ingest enqueues one pending
-- "recompute" job per school, widening from_date when more changes arrive. Trust-wide report
-- jobs have no school, so this table alone is keyed by job id.
CREATE TABLE job (
    job_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school_urn      integer REFERENCES school,
    kind            text NOT NULL,
    from_date       date,
    args            text NOT NULL DEFAULT '',
    state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'running', 'done', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    run_after       timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    worker          text,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX job_one_pending_per_school ON job (school_urn, kind)
    WHERE state = 'pending' AND school_urn IS NOT NULL;
CREATE INDEX job_ready ON job (run_after) WHERE state = 'pending';
