-- The LA returns in parts: rollcall returns queues an LA's job held back by run_after, this
-- request row naming what it is for, and a la_part job per school; each school's rows are
-- computed by the worker holding the school and kept here until the LA's job has put them
-- together and written its files (then deleted: the rows carry names and addresses).
CREATE TABLE la_return_request (
    job_id          bigint PRIMARY KEY REFERENCES job ON DELETE CASCADE,
    la_code         smallint NOT NULL REFERENCES la,
    period          text NOT NULL   -- the return's month, 'YYYY-MM'
);
CREATE INDEX la_return_request_la ON la_return_request (la_code, period);

CREATE TABLE la_return_part (
    la_code         smallint NOT NULL,
    period          text NOT NULL,
    school_urn      integer NOT NULL,
    change_id       bigint NOT NULL, -- the school's latest register change when computed
    basis           text NOT NULL,   -- the LA settings and days the rows were computed for
    rows            text NOT NULL,
    computed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (la_code, period, school_urn)
);

-- Parts left behind (an LA job that never ran, a part stored after its job took the others) are
-- deleted a day after they were computed, by "rollcall retention" with the rest of the daily
-- maintenance (logged in maintenance_log like it).
CREATE FUNCTION rollcall_retention_parts() RETURNS SETOF maintenance_log
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    DELETE FROM public.la_return_part WHERE computed_at < now() - interval '1 day';
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        INSERT INTO public.maintenance_log (action, object, rows, detail)
            VALUES ('pruned', 'la_return_part', n, 'LA return parts computed a day ago');
    END IF;
    RETURN QUERY SELECT * FROM public.maintenance_log
                  WHERE run_at = now() AND object = 'la_return_part' ORDER BY log_id;
END $$;
