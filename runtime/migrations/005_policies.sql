-- Policy versions: every edit of the global policy or of a tenant's overrides is a new row with
-- its author, time and diff; the current document of a scope is its newest row.
CREATE TABLE policy_versions (
    id            bigserial PRIMARY KEY,
    scope         text NOT NULL,            -- 'global' or a tenant id
    document      jsonb NOT NULL,
    author        text NOT NULL,
    author_role   text NOT NULL,
    note          text,
    diff          jsonb NOT NULL DEFAULT '[]',
    restored_from bigint REFERENCES policy_versions (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX policy_versions_scope ON policy_versions (scope, id DESC);

ALTER TABLE approvals ADD COLUMN expires_at timestamptz;
ALTER TABLE approvals ADD COLUMN on_timeout text NOT NULL DEFAULT 'reject' CHECK (on_timeout IN ('reject', 'escalate'));
ALTER TABLE approvals ADD COLUMN timeout_minutes integer;

-- What a write's target looked like when the call was proposed (tools that declare a precondition).
ALTER TABLE ledger ADD COLUMN precondition jsonb;

-- Submitting the same request twice with one idempotency key opens one run.
ALTER TABLE runs ADD COLUMN idempotency_key text;
ALTER TABLE runs ADD COLUMN agent_hint text;
CREATE UNIQUE INDEX runs_idempotency ON runs (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
