-- claim_due_runs (012_run_leases.sql) handed any brain_app session every tenant's due runs and
-- wrote its lease on them: a cross-tenant write. Like the other cross-tenant helpers (013), it now
-- answers the system scope (the worker's own, runtime/db.py system_conn) in full and a tenant scope
-- about its own runs only; no scope, nothing. Tenants keep taking turns (012's order).
-- Guarded so that it applies wherever 012 is present.
DO $migration$
BEGIN
    IF to_regprocedure('public.claim_due_runs(text, double precision, integer)') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE $sql$
    CREATE OR REPLACE FUNCTION claim_due_runs(worker text, lease_seconds double precision, max_rows int)
        RETURNS TABLE (id uuid, tenant_id text, status text)
        LANGUAGE sql VOLATILE SECURITY DEFINER
        SET search_path = pg_catalog, public
        SET brain.maintenance = 'on'
        AS $body$
        UPDATE public.runs r
           SET lease_owner = worker,
               lease_expires_at = clock_timestamp() + make_interval(secs => lease_seconds),
               attempts = r.attempts + 1,
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
                          AND (public.brain_role() = 'system' OR d.tenant_id = public.brain_tenant())) c
                   ON c.id = l.id
                WHERE l.status IN ('queued', 'running', 'resuming')
                  AND (l.lease_expires_at IS NULL OR l.lease_expires_at < clock_timestamp())
                ORDER BY c.turn, c.created_at
                LIMIT max_rows FOR UPDATE OF l SKIP LOCKED)
        RETURNING r.id, r.tenant_id, r.status
        $body$
    $sql$;
END $migration$;
