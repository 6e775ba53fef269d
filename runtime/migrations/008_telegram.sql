-- Telegram: chats linked to a tenant's people, one-time link codes, and every message sent.
--
-- A link binds a Telegram chat to one person of one tenant: a team member (with a role, who can
-- submit tasks and approve), a customer who opted in, a family member or an elder (who only
-- receive messages). `space` is the sandbox namespace ('' for live state; see runtime/services).
CREATE TABLE telegram_links (
    tenant_id   text NOT NULL,
    space       text NOT NULL DEFAULT '',
    user_id     text NOT NULL,
    kind        text NOT NULL DEFAULT 'team' CHECK (kind IN ('team', 'customer', 'family', 'elder')),
    role        text NOT NULL DEFAULT 'viewer'
                CHECK (role IN ('viewer', 'operator', 'tenant_admin', 'super_admin')),
    chat_id     bigint NOT NULL,
    name        text NOT NULL,
    handle      text,
    timezone    text,
    opted_in    boolean NOT NULL DEFAULT true,
    lists       text[] NOT NULL DEFAULT '{}',  -- saved audiences this person is on
    linked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, space, user_id)
);
-- A live chat speaks for one person only (the webhook finds the person by chat).
CREATE UNIQUE INDEX telegram_links_live_chat ON telegram_links (chat_id) WHERE space = '';

CREATE TABLE telegram_link_codes (
    code_hash   text PRIMARY KEY,  -- sha256 of the code; the code itself is shown once
    tenant_id   text NOT NULL,
    user_id     text NOT NULL,
    role        text NOT NULL CHECK (role IN ('viewer', 'operator', 'tenant_admin', 'super_admin')),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    chat_id     bigint
);

CREATE TABLE telegram_messages (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   text NOT NULL,
    space       text NOT NULL DEFAULT '',
    user_id     text,              -- the linked person it went to
    chat_id     bigint NOT NULL,
    source      text NOT NULL,     -- tool | broadcast | reminder | approval | reply
    text        text NOT NULL,
    run_id      text,
    status      text NOT NULL CHECK (status IN ('sent', 'failed')),
    message_id  bigint,
    error       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX telegram_messages_daily ON telegram_messages (tenant_id, space, created_at);

ALTER TABLE telegram_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE telegram_link_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE telegram_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_telegram_links ON telegram_links TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_telegram_link_codes ON telegram_link_codes TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY tenant_telegram_messages ON telegram_messages TO brain_app
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON telegram_links TO brain_app;
GRANT SELECT, INSERT ON telegram_link_codes, telegram_messages TO brain_app;
GRANT DELETE ON telegram_messages TO brain_app;

-- The webhook knows only the chat: who is it (live links only)? Tenant, person and role, no more.
CREATE FUNCTION telegram_chat_link(chat bigint)
    RETURNS TABLE (tenant_id text, user_id text, role text, kind text, name text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT tenant_id, user_id, role, kind, name FROM telegram_links WHERE chat_id = chat AND space = '' $$;

-- `/link CODE` from a chat: spend the code once and bind the chat to its person (replacing any
-- earlier binding of that chat or that person). Returns the new link, or nothing when the code is
-- unknown, used or expired.
CREATE FUNCTION telegram_redeem_code(hash text, chat bigint, chat_handle text)
    RETURNS TABLE (tenant_id text, user_id text, role text, name text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
    AS $$
DECLARE
    c telegram_link_codes%ROWTYPE;
BEGIN
    UPDATE telegram_link_codes SET used_at = now(), chat_id = chat
        WHERE code_hash = hash AND used_at IS NULL AND expires_at > now()
        RETURNING * INTO c;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    DELETE FROM telegram_links l WHERE l.space = '' AND (l.chat_id = chat OR (l.tenant_id = c.tenant_id AND l.user_id = c.user_id));
    INSERT INTO telegram_links (tenant_id, space, user_id, kind, role, chat_id, name, handle)
        VALUES (c.tenant_id, '', c.user_id, 'team', c.role, chat, c.name, chat_handle);
    RETURN QUERY SELECT c.tenant_id, c.user_id, c.role, c.name;
END $$;
REVOKE ALL ON FUNCTION telegram_chat_link(bigint), telegram_redeem_code(text, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telegram_chat_link(bigint), telegram_redeem_code(text, bigint, text) TO brain_app;
