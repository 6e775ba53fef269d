-- Reminders: one-off or recurring (RRULE or cron, expanded in the recipient's zone), delivered on
-- Telegram by whichever scheduler process claims them first. `next_at` is the occurrence due
-- next (NULL once the series is over); a claim is a lease, so a process that dies mid-delivery
-- leaves it for another after the lease; a delivery row per occurrence makes sending once per
-- occurrence checkable. `space` is the sandbox namespace ('' for live state).
CREATE TABLE reminders (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       text NOT NULL,
    space           text NOT NULL DEFAULT '',
    created_by      text NOT NULL,
    recipient       text NOT NULL,       -- the linked person's user id
    recipient_name  text NOT NULL,
    text            text NOT NULL,
    category        text,
    first_at        timestamptz NOT NULL,
    timezone        text,
    recurrence      text,
    until           date,
    next_at         timestamptz,
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'done', 'cancelled')),
    attempts        int NOT NULL DEFAULT 0,
    lease_owner     text,
    lease_until     timestamptz,
    dedupe_key      text NOT NULL,
    run_id          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    cancelled_at    timestamptz,
    UNIQUE (tenant_id, space, dedupe_key)
);
CREATE INDEX reminders_due ON reminders (next_at) WHERE status = 'active';

CREATE TABLE reminder_deliveries (
    reminder_id     uuid NOT NULL REFERENCES reminders (id) ON DELETE CASCADE,
    occurrence_at   timestamptz NOT NULL,
    tenant_id       text NOT NULL,
    space           text NOT NULL DEFAULT '',
    status          text NOT NULL CHECK (status IN ('sent', 'failed', 'skipped')),
    attempts        int NOT NULL DEFAULT 1,
    worker          text,
    message_id      bigint,
    error           text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (reminder_id, occurrence_at)
);

ALTER TABLE reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE reminder_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_reminders ON reminders TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_reminder_deliveries ON reminder_deliveries TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON reminders, reminder_deliveries TO brain_app;

-- A scheduler process takes due reminders across tenants: each row goes to one process only
-- (FOR UPDATE SKIP LOCKED) and stays its own for the lease. Returns ids and tenants only; the
-- process then reads and updates each reminder inside its tenant's scope.
CREATE FUNCTION claim_due_reminders(worker text, lease_seconds int, max_rows int)
    RETURNS TABLE (id uuid, tenant_id text, space text, occurrence_at timestamptz)
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
    AS $$
    UPDATE reminders r SET lease_owner = worker, lease_until = now() + make_interval(secs => lease_seconds)
    WHERE r.id IN (SELECT d.id FROM reminders d
                   WHERE d.status = 'active' AND d.next_at <= now()
                     AND (d.lease_until IS NULL OR d.lease_until < now())
                   ORDER BY d.next_at LIMIT max_rows FOR UPDATE SKIP LOCKED)
    RETURNING r.id, r.tenant_id, r.space, r.next_at
$$;
REVOKE ALL ON FUNCTION claim_due_reminders(text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_due_reminders(text, int, int) TO brain_app;
