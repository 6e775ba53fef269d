-- Tenant isolation in Postgres (invariant 5): the application role sees only the rows of the
-- tenant its transaction names with SET LOCAL app.tenant_id. No setting: no rows.
ALTER TABLE runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE approvals ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE policy_versions ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_runs ON runs TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_ledger ON ledger TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_approvals ON approvals TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_run_events ON run_events TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
-- Everyone reads the global policy and its own overrides; only a super_admin writes global rows.
CREATE POLICY tenant_policies ON policy_versions TO brain_app
    USING (scope = 'global' OR scope = current_setting('app.tenant_id', true))
    WITH CHECK (scope = current_setting('app.tenant_id', true)
                OR (scope = 'global' AND current_setting('app.role', true) = 'super_admin'));

GRANT SELECT, INSERT, UPDATE ON runs, approvals TO brain_app;
GRANT SELECT, INSERT ON ledger, run_events, policy_versions TO brain_app;
GRANT SELECT, INSERT ON routing_examples, routing_models TO brain_app;
GRANT USAGE ON SEQUENCE ledger_seq_seq, run_events_seq_seq, policy_versions_id_seq TO brain_app;

-- The tenant of a run, from its (unguessable) id: lets internal drivers (a worker resuming a
-- run, the approval timer) scope their transaction to that run's tenant.
CREATE FUNCTION run_tenant(run uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT tenant_id FROM runs WHERE id = run $$;
-- Approvals past their time limit, across tenants, for the approval timer.
CREATE FUNCTION due_approvals() RETURNS TABLE (id uuid, run_id uuid, tenant_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT id, run_id, tenant_id FROM approvals WHERE status = 'pending' AND expires_at <= now() ORDER BY expires_at $$;
REVOKE ALL ON FUNCTION run_tenant(uuid), due_approvals() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION run_tenant(uuid), due_approvals() TO brain_app;
