-- Rollcall schema, version 20: Targeting Support Meeting packs (domain.md §4, §8; contract.md
-- §2). The attendance category boundaries a trust or an LA sets (with the TSM's "falling"
-- threshold), the actions agreed at each meeting, benchmarks of an LA beside the national ones,
-- and the boundaries a school's stored results were computed with.

-- Category boundaries in basis points (1/100 of a percent) on a pupil's absence rate r:
-- expected r <= expected_max_bp; at risk of PA up to pa_from_bp (not included); PA from
-- pa_from_bp to pa_max_bp; at risk of SA up to sa_from_bp (not included); SA from sa_from_bp.
-- falling_bp: a pupil at risk of PA is "falling" when their last 4 weeks are at least this far
-- below the rest of the year. One row with la_code NULL is the trust's own; a row for an LA
-- holds for the schools in it (over the trust's). Without rows the built-in defaults hold
-- (500 / 1000 / 2000 / 5000, falling 200). The PA and SA flags are the law's 10% and 50%
-- whatever the categories say. Managed with "rollcall boundaries set".
CREATE TABLE attendance_setting (
    la_code         smallint REFERENCES la,
    expected_max_bp integer NOT NULL,
    pa_from_bp      integer NOT NULL,
    pa_max_bp       integer NOT NULL,
    sa_from_bp      integer NOT NULL,
    falling_bp      integer NOT NULL DEFAULT 200 CHECK (falling_bp BETWEEN 0 AND 10000),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (0 <= expected_max_bp AND expected_max_bp < pa_from_bp AND pa_from_bp < pa_max_bp
           AND pa_max_bp < sa_from_bp AND sa_from_bp <= 10000)
);
CREATE UNIQUE INDEX attendance_setting_scope ON attendance_setting ((coalesce(la_code, 0)));

-- The actions agreed at a school's TSM for a term ("2025-autumn"), as imported with
-- "rollcall tsm actions import FILE" (which replaces a meeting's actions as a whole); upn is
-- empty for a school-level action. The next term's pack shows them with their status. Notes
-- may hold personal data: only the owner and the workers read this table.
CREATE TABLE tsm_action (
    school_urn  integer NOT NULL REFERENCES school,
    term        text NOT NULL CHECK (term ~ '^[0-9]{4}-(autumn|spring|summer)$'),
    seq         integer NOT NULL,
    upn         text NOT NULL DEFAULT '' CHECK (upn = '' OR length(upn) = 13),
    action      text NOT NULL CHECK (action <> ''),
    owner       text NOT NULL DEFAULT '',
    due         date,
    status      text NOT NULL CHECK (status IN ('open', 'done', 'dropped')),
    note        text NOT NULL DEFAULT '',
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_urn, term, seq)
);

-- A benchmark may be an LA's own figure (la_code) beside the national one (la_code 0).
ALTER TABLE benchmark ADD COLUMN la_code smallint NOT NULL DEFAULT 0
    CHECK (la_code = 0 OR la_code BETWEEN 100 AND 999);
ALTER TABLE benchmark DROP CONSTRAINT benchmark_pkey;
ALTER TABLE benchmark ADD PRIMARY KEY (year, phase, measure, cohort, la_code);

-- The category boundaries a school's results were computed with ("500,1000,2000,5000"): results
-- computed under other boundaries than those in force are computed again.
ALTER TABLE school_result ADD COLUMN boundaries text NOT NULL DEFAULT '';
