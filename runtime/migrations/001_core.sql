-- Runs, the append-only ledger, approvals and run events.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE runs (
    id          uuid PRIMARY KEY,
    tenant_id   text NOT NULL,
    user_id     text NOT NULL,
    role        text NOT NULL,
    request     text NOT NULL,
    status      text NOT NULL CHECK (status IN ('queued', 'running', 'waiting', 'resuming', 'done', 'failed', 'cancelled')),
    agent       text,
    confidence  double precision,
    answer      text,
    error       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_tenant_status ON runs (tenant_id, status, created_at DESC);

-- One row per fact about a tool call: the policy decision, a person's answer, the start and
-- the result of the call. Never updated or deleted (a trigger refuses it).
CREATE TABLE ledger (
    seq             bigserial PRIMARY KEY,
    run_id          uuid NOT NULL REFERENCES runs (id),
    tenant_id       text NOT NULL,
    call_id         text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('decision', 'approval', 'redecision', 'started', 'result')),
    tool            text NOT NULL,
    args            jsonb NOT NULL,
    args_hash       text NOT NULL,
    outcome         text,
    actor           text NOT NULL,
    policy_version  integer,
    rule_id         text,
    confidence      double precision,
    reason          text,
    result          jsonb,
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (run_id, call_id, kind)
);

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % refused', TG_OP;
END $$;
CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

CREATE TABLE approvals (
    id           uuid PRIMARY KEY,
    run_id       uuid NOT NULL REFERENCES runs (id),
    tenant_id    text NOT NULL,
    interrupt_id text NOT NULL,
    status       text NOT NULL CHECK (status IN ('pending', 'decided', 'expired')),
    calls        jsonb NOT NULL,
    approver_role text NOT NULL DEFAULT 'operator',
    requested_at timestamptz NOT NULL DEFAULT now(),
    decided_at   timestamptz,
    decided_by   text,
    response     jsonb,
    UNIQUE (run_id, interrupt_id)
);
CREATE INDEX approvals_pending ON approvals (tenant_id, status);

CREATE TABLE run_events (
    seq         bigserial PRIMARY KEY,
    run_id      uuid NOT NULL REFERENCES runs (id),
    tenant_id   text NOT NULL,
    type        text NOT NULL,
    data        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX run_events_run ON run_events (run_id, seq);
ALTER TABLE run_events ADD COLUMN key text;
CREATE UNIQUE INDEX run_events_key ON run_events (run_id, key);
