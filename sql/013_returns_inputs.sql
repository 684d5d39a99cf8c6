-- Rollcall schema, version 13: the contract's additions (contract.md §1) and what the LA returns
-- need (domain.md §6): every spell on the admission register, the entry date and previous school
-- of a spell and a leaver's destination, the class (registration group) among the effective-
-- dated characteristics, a mark's comment, a calendar's term names, the per-LA settings, and
-- what each generated return listed.

ALTER TABLE pupil_characteristic ADD COLUMN reg_group text;
ALTER TABLE mark_version ADD COLUMN comment text;
ALTER TABLE school_session ADD COLUMN term text
    CHECK (term IS NULL OR term IN ('autumn', 'spring', 'summer'));

-- The admission register keeps every spell of a pupil (contract.md §1): a pupil re-admitted to
-- the same school after leaving is a second spell of the same pupil, and both stay. pupil holds
-- the identity, and the latest spell's admission and leaving (kept in step by the daemon's
-- merge); marks are accepted on the days of any spell.
CREATE TABLE pupil_spell (
    school_urn          integer NOT NULL,
    pupil_id            integer NOT NULL,
    admission_date      date NOT NULL,
    leaving_date        date,
    leaving_reason      text,
    entered_on          date NOT NULL,  -- name entered on the admission register
    previous_school     text,
    destination_school  text,
    destination_address text,
    destination_start   date,
    first_batch         bigint NOT NULL,
    last_batch          bigint NOT NULL,
    PRIMARY KEY (school_urn, pupil_id, admission_date),
    FOREIGN KEY (school_urn, pupil_id) REFERENCES pupil,
    CHECK (leaving_date IS NULL OR leaving_date >= admission_date)
);
INSERT INTO pupil_spell (school_urn, pupil_id, admission_date, leaving_date, leaving_reason,
                         entered_on, first_batch, last_batch)
    SELECT school_urn, pupil_id, admission_date, leaving_date, leaving_reason, admission_date,
           first_batch, last_batch FROM pupil;

-- Per-LA settings of the statutory returns, managed with "rollcall la set". A return's
-- frequency: monthly (the default), or termly (returns in December, April and July, each
-- covering the months since the last). irregular_bp: the optional "fails to attend regularly"
-- threshold, an absence rate in basis points (NULL: off). The junior-intake and standard-
-- transition pupils are left out of the new-pupil and deletion returns unless asked for.
CREATE TABLE la_setting (
    la_code                     smallint PRIMARY KEY REFERENCES la,
    return_frequency            text NOT NULL DEFAULT 'monthly'
                                CHECK (return_frequency IN ('monthly', 'termly')),
    irregular_bp                integer CHECK (irregular_bp BETWEEN 1 AND 10000),
    include_junior_intake       boolean NOT NULL DEFAULT false,
    include_standard_transition boolean NOT NULL DEFAULT false,
    contact_name                text NOT NULL DEFAULT '',
    updated_at                  timestamptz NOT NULL DEFAULT now()
);

-- What each generated return listed, by school: when a row was first listed (a new pupil's late
-- flag is about that day, so regenerating a month later gives the same file) and a digest of its
-- content, so the LA's page can say what the latest generation that changed anything changed
-- (change: 1 new, 2 changed, 3 no longer listed; change_gen the generation it was made in).
-- Keys and digests only: no personal data.
CREATE TABLE la_return_item (
    school_urn      integer NOT NULL,
    la_code         smallint NOT NULL,
    period          text NOT NULL,  -- the return's month, 'YYYY-MM'
    kind            smallint NOT NULL CHECK (kind BETWEEN 1 AND 4),
                                    -- 1 attendance, 2 sickness, 3 new pupil, 4 deletion
    item_key        text NOT NULL,  -- pupil id and what the row is about
    digest          text NOT NULL,
    first_listed    date NOT NULL,
    listed          boolean NOT NULL,  -- in the latest generation
    change          smallint NOT NULL DEFAULT 1 CHECK (change BETWEEN 1 AND 3),
    change_gen      integer NOT NULL,
    PRIMARY KEY (school_urn, la_code, period, kind, item_key)
);

-- One row per LA return generated: how many generations changed something (gen), when it was
-- first generated and when last changed.
CREATE TABLE la_return_run (
    la_code         smallint NOT NULL REFERENCES la,
    period          text NOT NULL,
    gen             integer NOT NULL,
    first_generated date NOT NULL,
    changed_on      date NOT NULL,
    PRIMARY KEY (la_code, period)
);
