-- Rollcall schema, version 11: the register's partitions cannot be emptied, and years roll
-- over by themselves. TRUNCATE of a partition does not fire the parent's statement trigger,
-- so every partition gets its own, made with it; the row triggers are cloned by PostgreSQL.
-- Only rollcall_owner may alter or drop a partition. The programs that run unattended make the
-- years they need through SECURITY DEFINER functions owned by rollcall_owner, with a fixed
-- search_path, executable only by the role that calls them (lib/grants.c).

-- The academic year (1 Aug - 31 Jul) a day falls in, named by the calendar year it starts in
-- (lib/date.c's date_academic_year, for the database).
CREATE FUNCTION rollcall_academic_year(d date) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN extract(year FROM d)::integer - CASE WHEN extract(month FROM d) < 8 THEN 1 ELSE 0 END;

-- The academic years the register holds on a day: six years plus the current one (domain.md
-- §1: every entry kept at least six years; lib/validate.c accepts marks from the same first
-- year), and the next one, made ahead of time so that 1 August needs nobody.
CREATE FUNCTION rollcall_register_years(today date, OUT first_year integer,
                                        OUT last_year integer)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT rollcall_academic_year(today) - 6, rollcall_academic_year(today) + 1 $$;

-- What makes a table a partition of the register: its own TRUNCATE trigger, rollcall_owner as
-- its owner, and exactly its parent's privileges (granted by "rollcall migrate"), so a program
-- reaches a partition directly only as it may reach the register. Idempotent.
CREATE FUNCTION rollcall_partition_setup(part regclass) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    g record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger
                    WHERE tgrelid = part AND tgname = 'mark_version_no_truncate') THEN
        EXECUTE format('CREATE TRIGGER mark_version_no_truncate BEFORE TRUNCATE ON %s'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION public.rollcall_forbid_change()',
                       part);
    END IF;
    IF (SELECT relowner FROM pg_class WHERE oid = part) <> 'rollcall_owner'::regrole THEN
        EXECUTE format('ALTER TABLE %s OWNER TO rollcall_owner', part);
    END IF;
    FOR g IN SELECT DISTINCT a.grantee
               FROM pg_class c, aclexplode(c.relacl) a
              WHERE c.oid = part AND a.grantee <> c.relowner LOOP
        EXECUTE format('REVOKE ALL ON %s FROM %s', part,
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END);
    END LOOP;
    FOR g IN SELECT a.grantee, a.privilege_type
               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent, aclexplode(c.relacl) a
              WHERE i.inhrelid = part AND a.grantee <> c.relowner LOOP
        EXECUTE format('GRANT %s ON %s TO %s', g.privilege_type, part,
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END);
    END LOOP;
END $$;

-- Makes academic year ay's partition; false when it was there already. Owner only: the others
-- go through rollcall_ensure_year or rollcall_retention.
DROP FUNCTION rollcall_year_partition(integer);
CREATE FUNCTION rollcall_year_partition(ay integer) RETURNS boolean
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    part text := format('mark_version_%s', ay);
BEGIN
    IF to_regclass(format('public.%I', part)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.mark_version'
                   ' FOR VALUES FROM (%L) TO (%L)', part, make_date(ay, 8, 1),
                   make_date(ay + 1, 8, 1));
    PERFORM public.rollcall_partition_setup(format('public.%I', part)::regclass);
    RETURN true;
END $$;

-- rollcalld, before it copies marks of a year it has not seen: makes that year's partition
-- when it is missing (a mark on 1 August of a year nobody migrated for must not fail its
-- batch). Only years the register holds today; true when it made the partition.
CREATE FUNCTION rollcall_ensure_year(ay integer) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    y record;
BEGIN
    SELECT * INTO y FROM public.rollcall_register_years(current_date);
    IF ay IS NULL OR ay NOT BETWEEN y.first_year AND y.last_year THEN
        RAISE EXCEPTION 'academic year % is not one the register holds (% to %)', ay,
                        y.first_year, y.last_year;
    END IF;
    PERFORM pg_advisory_xact_lock(7243102); -- one maker of partitions at a time
    RETURN public.rollcall_year_partition(ay);
END $$;

-- Every year the register holds today; returns the partitions it made. "rollcall migrate" and
-- the retention job call it.
CREATE FUNCTION rollcall_ensure_years() RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    y record;
BEGIN
    SELECT * INTO y FROM public.rollcall_register_years(current_date);
    PERFORM pg_advisory_xact_lock(7243102);
    FOR ay IN y.first_year .. y.last_year LOOP
        IF public.rollcall_year_partition(ay) THEN
            RETURN NEXT format('mark_version_%s', ay);
        END IF;
    END LOOP;
END $$;

-- The partitions made before this version get their TRUNCATE trigger now.
SELECT rollcall_partition_setup(inhrelid::regclass) FROM pg_inherits
 WHERE inhparent = 'mark_version'::regclass;
