-- The Telegram chat with the Brain: updates already handled, tasks started from a chat, and the
-- approval messages sent with inline buttons (short ids in callback_data, a draft of per-call
-- answers, and a pending "Edit" waiting for the JSON of new arguments).

-- Telegram retries a webhook call until it gets a 2xx: an update id is handled once. Update ids
-- belong to the bot, not to a tenant (the tenant is known only after the chat is looked up).
CREATE TABLE telegram_updates (
    update_id    bigint PRIMARY KEY,
    received_at  timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, DELETE ON telegram_updates TO brain_app;

-- A task typed in a chat: its progress and answer go back to that chat.
CREATE TABLE telegram_runs (
    run_id      uuid PRIMARY KEY,
    tenant_id   text NOT NULL,
    chat_id     bigint NOT NULL,
    user_id     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One approval request as sent to one chat. `id` is the short key the buttons carry
-- (`ap:<id>:<action>:<call index>`); `calls` are the calls as asked (call_id, tool, args);
-- `draft` holds this chat's per-call answers until every call has one.
CREATE TABLE telegram_approval_messages (
    id          text PRIMARY KEY,
    tenant_id   text NOT NULL,
    run_id      uuid NOT NULL,
    chat_id     bigint NOT NULL,
    user_id     text NOT NULL,
    message_id  bigint,
    calls       jsonb NOT NULL,
    draft       jsonb NOT NULL DEFAULT '{}',
    editing     text,              -- the call id whose new arguments this chat's next message gives
    editing_at  timestamptz,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX telegram_approval_messages_run ON telegram_approval_messages (tenant_id, run_id) WHERE status = 'open';
CREATE INDEX telegram_approval_messages_chat ON telegram_approval_messages (tenant_id, chat_id) WHERE editing IS NOT NULL;

ALTER TABLE telegram_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE telegram_approval_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_telegram_runs ON telegram_runs TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_telegram_approval_messages ON telegram_approval_messages TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT ON telegram_runs TO brain_app;
GRANT SELECT, INSERT, UPDATE ON telegram_approval_messages TO brain_app;
