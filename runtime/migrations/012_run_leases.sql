-- Runs are executed under a lease: the process advancing a run names itself in `lease_owner` and
-- renews `lease_expires_at` while it works (a heartbeat). A run `queued`, `running` or `resuming`
-- whose lease is missing or expired is due: any worker may claim it and continue it from its last
-- checkpoint. `attempts` counts claims, so a run that kills every worker taking it is given up.
ALTER TABLE runs
    ADD COLUMN lease_owner      text,
    ADD COLUMN lease_expires_at timestamptz,
    ADD COLUMN attempts         integer NOT NULL DEFAULT 0;
CREATE INDEX runs_due ON runs (created_at) WHERE status IN ('queued', 'running', 'resuming');

-- A worker claims due runs across tenants: each row goes to one worker (FOR UPDATE SKIP LOCKED)
-- and is its own for the lease. Tenants take turns (the oldest due run of each tenant first), so
-- one tenant's flood does not starve the others. Returns ids, tenants and statuses only; the
-- worker then reads and advances each run inside its tenant's scope.
CREATE FUNCTION claim_due_runs(worker text, lease_seconds double precision, max_rows int)
    RETURNS TABLE (id uuid, tenant_id text, status text)
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
    AS $$
    UPDATE runs r
       SET lease_owner = worker,
           lease_expires_at = clock_timestamp() + make_interval(secs => lease_seconds),
           attempts = r.attempts + 1,
           status = CASE WHEN r.status = 'queued' THEN 'running' ELSE r.status END,
           updated_at = now()
     WHERE r.id IN (
           SELECT l.id
             FROM runs l
             JOIN (SELECT d.id, d.created_at,
                          row_number() OVER (PARTITION BY d.tenant_id ORDER BY d.created_at) AS turn
                     FROM runs d
                    WHERE d.status IN ('queued', 'running', 'resuming')
                      AND (d.lease_expires_at IS NULL OR d.lease_expires_at < clock_timestamp())) c ON c.id = l.id
            WHERE l.status IN ('queued', 'running', 'resuming')
              AND (l.lease_expires_at IS NULL OR l.lease_expires_at < clock_timestamp())
            ORDER BY c.turn, c.created_at
            LIMIT max_rows FOR UPDATE OF l SKIP LOCKED)
    RETURNING r.id, r.tenant_id, r.status
$$;
REVOKE ALL ON FUNCTION claim_due_runs(text, double precision, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_due_runs(text, double precision, int) TO brain_app;
