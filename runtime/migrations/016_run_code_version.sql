-- A run is stamped with the code version of the process that started it (a hash of the graph's
-- nodes and edges, runtime/engine/version.py): its checkpoints can be replayed only by that graph.
-- A worker of another version leaves a started run alone (and says so); a queued run has nothing
-- to replay, so any worker may take it and stamps it with its own version.
ALTER TABLE runs ADD COLUMN code_version text;

-- claim_due_runs (012, 014) now takes the worker's code version and passes over started runs of
-- other versions. The three-argument form is dropped: a worker that cannot name its version must
-- not claim runs it may be unable to replay.
DROP FUNCTION IF EXISTS claim_due_runs(text, double precision, integer);

CREATE FUNCTION claim_due_runs(worker text, lease_seconds double precision, max_rows int, version text)
    RETURNS TABLE (id uuid, tenant_id text, status text)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
    AS $$
    UPDATE public.runs r
       SET lease_owner = worker,
           lease_expires_at = clock_timestamp() + make_interval(secs => lease_seconds),
           attempts = r.attempts + 1,
           code_version = CASE WHEN r.status = 'queued' OR r.code_version IS NULL THEN version
                               ELSE r.code_version END,
           status = CASE WHEN r.status = 'queued' THEN 'running' ELSE r.status END,
           updated_at = now()
     WHERE r.id IN (
           SELECT l.id
             FROM public.runs l
             JOIN (SELECT d.id, d.created_at,
                          row_number() OVER (PARTITION BY d.tenant_id ORDER BY d.created_at) AS turn
                     FROM public.runs d
                    WHERE d.status IN ('queued', 'running', 'resuming')
                      AND (d.lease_expires_at IS NULL OR d.lease_expires_at < clock_timestamp())
                      AND (d.status = 'queued' OR d.code_version IS NULL OR d.code_version = version)
                      AND (public.brain_role() = 'system' OR d.tenant_id = public.brain_tenant())) c
               ON c.id = l.id
            WHERE l.status IN ('queued', 'running', 'resuming')
              AND (l.lease_expires_at IS NULL OR l.lease_expires_at < clock_timestamp())
            ORDER BY c.turn, c.created_at
            LIMIT max_rows FOR UPDATE OF l SKIP LOCKED)
    RETURNING r.id, r.tenant_id, r.status
$$;
REVOKE ALL ON FUNCTION claim_due_runs(text, double precision, int, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_due_runs(text, double precision, int, text) TO brain_app;

-- Runs that need a driver and have none (no live lease, untouched for `settle_seconds`), for an
-- engine that starts their workflows (Temporal's sweeper): with `waiting` runs too when asked
-- (their approval time limits are durable timers of the workflow). Read-only; ids, tenants,
-- statuses and versions only. The system scope sees every tenant's, a tenant scope its own.
CREATE FUNCTION unattended_runs(settle_seconds double precision, max_rows int, with_waiting boolean)
    RETURNS TABLE (id uuid, tenant_id text, status text, code_version text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
    AS $$
    SELECT d.id, d.tenant_id, d.status, d.code_version
      FROM public.runs d
     WHERE (d.status IN ('queued', 'running', 'resuming') OR (with_waiting AND d.status = 'waiting'))
       AND (d.lease_expires_at IS NULL OR d.lease_expires_at < clock_timestamp())
       AND d.updated_at < clock_timestamp() - make_interval(secs => settle_seconds)
       AND (public.brain_role() = 'system' OR d.tenant_id = public.brain_tenant())
     ORDER BY d.updated_at
     LIMIT max_rows
$$;
REVOKE ALL ON FUNCTION unattended_runs(double precision, int, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unattended_runs(double precision, int, boolean) TO brain_app;
