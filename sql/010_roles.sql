-- Rollcall schema, version 10: least-privilege roles (issue 9). Four group roles (NOLOGIN);
-- each program logs in as its role, or as a member of it (README, "Database and roles"):
--   rollcall_owner      owns every object and runs the migrations; nothing unattended uses it
--   rollcall_daemon     rollcalld: appends to the register and the admission register, writes
--                       the batch ledger, rejected items, register changes and jobs
--   rollcall_worker     rollcall-worker: reads the register, writes results, takes jobs, runs
--                       the nightly retention (through SECURITY DEFINER functions only)
--   rollcall_reporting  read-only, and never pupils' names, addresses or contacts
-- What each may do to each object is granted by "rollcall migrate" after the migrations, from
-- the one classification in lib/grants.c. The first migrate needs a role with CREATEROLE (or
-- the four roles made beforehand by a superuser).

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['rollcall_owner', 'rollcall_daemon', 'rollcall_worker',
                             'rollcall_reporting'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'cannot create role % (run the first migrate as a role with '
                                'CREATEROLE, or have a superuser create rollcall_owner, '
                                'rollcall_daemon, rollcall_worker and rollcall_reporting)', r;
            END;
        END IF;
    END LOOP;
    -- The migrating role acts as the owner from now on (ALTER ... OWNER TO needs it).
    IF current_user <> 'rollcall_owner'
       AND NOT pg_has_role(current_user, 'rollcall_owner', 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT rollcall_owner TO %I', current_user);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'role % may not join rollcall_owner (GRANT rollcall_owner TO %, '
                            'then migrate again)', current_user, current_user;
        END;
    END IF;
END $$;

-- Only the owner creates objects. PostgreSQL 15 already keeps CREATE on public from PUBLIC;
-- a database made by an older version may not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO rollcall_owner;
GRANT USAGE ON SCHEMA public TO rollcall_daemon, rollcall_worker, rollcall_reporting;
DO $$
BEGIN
    IF NOT has_schema_privilege('rollcall_owner', 'public', 'CREATE') THEN
        RAISE EXCEPTION 'rollcall_owner may not create in schema public (migrate as the '
                        'database owner, or GRANT CREATE ON SCHEMA public TO rollcall_owner)';
    END IF;
END $$;
