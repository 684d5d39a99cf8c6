-- Rollcall schema, version 12: retention, run daily by "rollcall retention" (as
-- rollcall_worker, through this SECURITY DEFINER function: nothing nightly uses the owner).
-- It makes every year the register holds (so next year's partition exists a year ahead),
-- drops whole academic years older than six years plus the current one (domain.md §1), and
-- prunes what the comments of register_change and job promise. Every run and every action is
-- kept in maintenance_log, which "rollcall status" shows.

CREATE TABLE maintenance_log (
    log_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_at      timestamptz NOT NULL DEFAULT now(),  -- the run's transaction time: one per run
    action      text NOT NULL CHECK (action IN ('run', 'created', 'dropped', 'pruned')),
    object      text NOT NULL,                       -- mark_version_2019, register_change, job
    rows        bigint NOT NULL DEFAULT 0,           -- rows dropped or pruned
    detail      text NOT NULL DEFAULT ''
);
CREATE INDEX maintenance_log_run ON maintenance_log (run_at);

COMMENT ON TABLE register_change IS
    'One row per committed group that changed a school: the earliest date it affects. Rows '
    'older than a week are folded by rollcall_retention into the school''s newest old row, '
    'which keeps the earliest of their dates: a worker holding the school from before still '
    'reloads from early enough, and the latest change_id per school never changes.';
COMMENT ON TABLE job IS
    'The job queue. rollcall_retention deletes done jobs a week after they ended and dead '
    'ones (kept with their error for rollcall jobs) after 30 days.';

-- '2019/20': an academic year as people write it.
CREATE FUNCTION rollcall_year_name(ay integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ay || '/' || lpad(((ay + 1) % 100)::text, 2, '0');

CREATE FUNCTION rollcall_retention() RETURNS SETOF maintenance_log
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    y record;
    p record;
    n bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7243102); -- one maker or dropper of partitions at a time
    SELECT * INTO y FROM public.rollcall_register_years(current_date);
    INSERT INTO public.maintenance_log (action, object, detail)
        VALUES ('run', 'register', format('holds academic years %s to %s',
                                          public.rollcall_year_name(y.first_year),
                                          public.rollcall_year_name(y.last_year)));

    INSERT INTO public.maintenance_log (action, object, detail)
        SELECT 'created', part, 'made ahead of its first mark' FROM public.rollcall_ensure_years() part;

    -- Whole years before the first kept year. Only the register's own yearly partitions.
    FOR p IN SELECT c.oid::regclass AS rel, c.relname,
                    substring(c.relname FROM '^mark_version_([0-9]{4})$')::integer AS ay
               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'public.mark_version'::regclass
              ORDER BY c.relname LOOP
        CONTINUE WHEN p.ay IS NULL OR p.ay >= y.first_year;
        EXECUTE format('SELECT count(*) FROM %s', p.rel) INTO n;
        EXECUTE format('DROP TABLE %s', p.rel);
        INSERT INTO public.maintenance_log (action, object, rows, detail)
            VALUES ('dropped', p.relname, n,
                    format('academic year %s, older than six years plus the current one',
                           public.rollcall_year_name(p.ay)));
    END LOOP;

    WITH old AS (SELECT school_urn, max(change_id) AS keep, min(from_date) AS from_date
                   FROM public.register_change
                  WHERE changed_at < now() - interval '7 days' GROUP BY school_urn),
         del AS (DELETE FROM public.register_change r USING old
                  WHERE r.school_urn = old.school_urn AND r.change_id < old.keep
                    AND r.changed_at < now() - interval '7 days' RETURNING 1),
         fold AS (UPDATE public.register_change r SET from_date = old.from_date FROM old
                   WHERE r.school_urn = old.school_urn AND r.change_id = old.keep
                     AND r.from_date > old.from_date RETURNING 1)
    SELECT (SELECT count(*) FROM del) INTO n;
    IF n > 0 THEN
        INSERT INTO public.maintenance_log (action, object, rows, detail)
            VALUES ('pruned', 'register_change', n,
                    'changes older than a week, folded into each school''s newest old one');
    END IF;

    DELETE FROM public.job
     WHERE (state = 'done' AND updated_at < now() - interval '7 days')
        OR (state = 'dead' AND updated_at < now() - interval '30 days');
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        INSERT INTO public.maintenance_log (action, object, rows, detail)
            VALUES ('pruned', 'job', n, 'done a week ago, or dead 30 days ago');
    END IF;

    RETURN QUERY SELECT * FROM public.maintenance_log WHERE run_at = now() ORDER BY log_id;
END $$;
