-- Rollcall schema, version 30: a change to school_key (a key added, revoked or removed) is
-- notified on the channel rollcall_keys, so rollcalld reloads its key table at once and a
-- revoked key stops working from the next message, without a SIGHUP. One notification per
-- statement (NOTIFY takes a cluster-wide lock at commit: never one per row).
CREATE FUNCTION school_key_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rollcall_keys', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER school_key_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON school_key
    FOR EACH STATEMENT EXECUTE FUNCTION school_key_notify();
