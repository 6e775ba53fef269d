-- Tenant and role from something the application role cannot forge (DESIGN.md invariant 5; the
-- threat model is in runtime/db.py). Until now every policy read `app.tenant_id` and `app.role`,
-- settings any brain_app session may set to anything. From here on a transaction names its scope
-- with one setting, `app.scope`, holding a token signed with HMAC-SHA256 by the process that owns
-- the key (the Brain reads it once, as the owner, when it starts):
--
--     <hex mac>.<expiry, unix seconds>.<role>.<tenant>      mac = HMAC(key, "<expiry>.<role>.<tenant>")
--
-- brain_tenant() and brain_role() verify it and answer NULL for a missing, tampered or expired
-- token; every policy compares with them. The key lies in brain_private, a schema brain_app may
-- not even look into. Role 'system' (tenant '') is the process's own cross-tenant work (timers,
-- the reminder claimer, the Telegram webhook): it sees no tenant's rows, only what the
-- cross-tenant functions below give it.

CREATE SCHEMA brain_private;
REVOKE ALL ON SCHEMA brain_private FROM PUBLIC;

-- One row: the key and its HMAC pads (key xor 0x36.., key xor 0x5c.., RFC 2104), so that verifying
-- costs two sha256 calls (pgcrypto is not needed: sha256() is built into Postgres 11+).
CREATE TABLE brain_private.scope_key (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    key        bytea NOT NULL CHECK (length(key) = 32),
    inner_pad  bytea NOT NULL,
    outer_pad  bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION brain_private.pad(key bytea, fill integer) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE
    AS $$
DECLARE
    block bytea := key || decode(repeat('00', 64 - length(key)), 'hex');
BEGIN
    FOR i IN 0..63 LOOP
        block := set_byte(block, i, get_byte(block, i) # fill);
    END LOOP;
    RETURN block;
END $$;

-- 32 bytes from two v4 UUIDs (gen_random_uuid draws on the server's strong random source; 244 bits).
WITH k AS (
    SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex') AS key
)
INSERT INTO brain_private.scope_key (key, inner_pad, outer_pad)
SELECT key, brain_private.pad(key, 54), brain_private.pad(key, 92) FROM k;

-- The verified claims of the current transaction's token: (tenant, role), or nothing.
CREATE FUNCTION brain_private.claims(token text, OUT tenant text, OUT role text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog
    AS $$
DECLARE
    body   text;
    expiry text;
    k      brain_private.scope_key%ROWTYPE;
BEGIN
    IF token IS NULL OR token !~ '^[0-9a-f]{64}\.[0-9]{1,12}\.[a-z_]{1,20}\.' THEN
        RETURN;
    END IF;
    body := substr(token, 66);
    expiry := split_part(body, '.', 1);
    IF expiry::bigint < extract(epoch FROM now()) THEN
        RETURN;
    END IF;
    SELECT * INTO k FROM brain_private.scope_key;
    IF encode(sha256(k.outer_pad || sha256(k.inner_pad || convert_to(body, 'UTF8'))), 'hex') <> left(token, 64) THEN
        RETURN;
    END IF;
    role := split_part(body, '.', 2);
    tenant := substr(body, length(expiry) + length(role) + 3);
    IF role NOT IN ('viewer', 'operator', 'tenant_admin', 'super_admin', 'system')
       OR (role = 'system') <> (tenant = '') THEN
        tenant := NULL;
        role := NULL;
    END IF;
END $$;

-- The tenant a transaction acts for (NULL: none, or the system). Policies call it as
-- `(SELECT brain_tenant())`, so it runs once per statement, not once per row.
CREATE FUNCTION brain_tenant() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog
    RETURN (SELECT c.tenant FROM brain_private.claims(current_setting('app.scope', true)) AS c
            WHERE c.role <> 'system');

CREATE FUNCTION brain_role() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog
    RETURN (SELECT c.role FROM brain_private.claims(current_setting('app.scope', true)) AS c);

REVOKE ALL ON FUNCTION brain_tenant(), brain_role() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION brain_tenant(), brain_role() TO brain_app;

-- The tenants of the platform. A tenant comes to exist through a legitimate path only: the demo
-- tenant here, `brain tenants add` (the system scope), its first run (a signed scope of that
-- tenant, AFTER INSERT on runs), or its own admin editing its policy. Policy scopes must name one.
CREATE TABLE tenants (
    id          text PRIMARY KEY CHECK (id <> '' AND id <> 'global' AND length(id) <= 200),
    name        text,
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO tenants (id, name, created_by) VALUES ('demo', 'Demo', 'setup');
-- Everyone who already ran something or has a policy of its own existed before this table did.
INSERT INTO tenants (id, created_by)
    SELECT DISTINCT tenant_id, 'migration 013' FROM runs
    UNION SELECT DISTINCT scope, 'migration 013' FROM policy_versions WHERE scope <> 'global'
    ON CONFLICT DO NOTHING;

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenants_read ON tenants FOR SELECT TO brain_app
    USING (id = (SELECT brain_tenant()) OR (SELECT brain_role()) IN ('super_admin', 'system'));
CREATE POLICY tenants_add ON tenants FOR INSERT TO brain_app
    WITH CHECK (id = (SELECT brain_tenant()) OR (SELECT brain_role()) = 'system');
GRANT SELECT, INSERT ON tenants TO brain_app;

CREATE FUNCTION tenant_of_run_exists() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO tenants (id, created_by) VALUES (NEW.tenant_id, 'first run') ON CONFLICT (id) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER runs_register_tenant AFTER INSERT ON runs
    FOR EACH ROW EXECUTE FUNCTION tenant_of_run_exists();

-- A policy scope is 'global' or a tenant that exists (checked as the owner: the row of another
-- tenant is invisible to brain_app, but it still exists).
CREATE FUNCTION policy_scope_exists() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
    AS $$
BEGIN
    IF NEW.scope <> 'global' AND NOT EXISTS (SELECT FROM public.tenants WHERE id = NEW.scope) THEN
        RAISE EXCEPTION 'scope: no tenant %', quote_literal(NEW.scope)
            USING ERRCODE = 'foreign_key_violation', HINT = '`brain tenants add` creates a tenant';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION policy_scope_exists() FROM PUBLIC;
CREATE TRIGGER policy_versions_scope_exists BEFORE INSERT ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION policy_scope_exists();

-- Every policy that trusted the settings now asks the verified token. Rewritten from the catalog,
-- so that a policy added by an earlier migration is not missed.
DO $$
DECLARE
    p record;
    using_expr text;
    check_expr text;
BEGIN
    FOR p IN SELECT * FROM pg_policies
             WHERE schemaname = 'public'
               AND (coalesce(qual, '') || coalesce(with_check, '')) ~ 'current_setting\(''app\.(tenant_id|role)'''
    LOOP
        using_expr := replace(replace(p.qual, 'current_setting(''app.tenant_id''::text, true)', '( SELECT brain_tenant())'),
                              'current_setting(''app.role''::text, true)', '( SELECT brain_role())');
        check_expr := replace(replace(p.with_check, 'current_setting(''app.tenant_id''::text, true)', '( SELECT brain_tenant())'),
                              'current_setting(''app.role''::text, true)', '( SELECT brain_role())');
        IF (coalesce(using_expr, '') || coalesce(check_expr, '')) ~ 'current_setting\(''app\.(tenant_id|role)' THEN
            RAISE EXCEPTION 'policy % on % reads app.tenant_id or app.role in a form this migration cannot rewrite',
                p.policyname, p.tablename;
        END IF;
        EXECUTE format('ALTER POLICY %I ON %I.%I', p.policyname, p.schemaname, p.tablename)
             || CASE WHEN using_expr IS NOT NULL THEN format(' USING (%s)', using_expr) ELSE '' END
             || CASE WHEN check_expr IS NOT NULL THEN format(' WITH CHECK (%s)', check_expr) ELSE '' END;
    END LOOP;
END $$;

-- Memories: the same predicate, from the token. memory_visible(tenant, kind, user) now takes the
-- verified tenant as an argument, so it stays one SQL expression the planner inlines while the
-- token is verified once per statement (an InitPlan), not once per row.
DROP POLICY memories_tenant ON memories;
CREATE OR REPLACE FUNCTION memory_visible_to(tenant_id text, kind text, user_id text, scope_tenant text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN tenant_id = scope_tenant
        AND (NOT memory_kind_is_personal(kind) OR user_id = current_setting('app.user_id', true));
CREATE POLICY memories_tenant ON memories TO brain_app
    USING (memory_visible_to(tenant_id, kind, user_id, (SELECT brain_tenant())))
    WITH CHECK (memory_visible_to(tenant_id, kind, user_id, (SELECT brain_tenant())));

CREATE OR REPLACE FUNCTION memories_text_search(
    search_query text,
    max_rows     integer,
    kinds        text[] DEFAULT NULL,
    of_subject   text DEFAULT NULL,
    of_agent     text DEFAULT NULL,
    of_user      text DEFAULT NULL,
    created_from timestamptz DEFAULT NULL,
    created_to   timestamptz DEFAULT NULL
) RETURNS TABLE (id uuid, rank real)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
BEGIN ATOMIC
    SELECT m.id, ts_rank(m.search_text, q.query) AS rank
    FROM public.memories AS m, websearch_to_tsquery('english', search_query) AS q(query),
         (SELECT public.brain_tenant() AS tenant) AS s
    WHERE m.search_text @@ q.query
      AND memory_visible_to(m.tenant_id, m.kind, m.user_id, s.tenant)
      AND m.superseded_by IS NULL
      AND (m.expires_at IS NULL OR m.expires_at > now())
      AND (kinds IS NULL OR m.kind = ANY (kinds))
      AND (of_subject IS NULL OR m.subject = of_subject)
      AND (of_agent IS NULL OR m.agent = of_agent)
      AND (of_user IS NULL OR m.user_id = of_user)
      AND (created_from IS NULL OR m.created_at >= created_from)
      AND (created_to IS NULL OR m.created_at < created_to)
    ORDER BY rank DESC, m.created_at DESC
    LIMIT max_rows;
END;
DROP FUNCTION memory_visible(text, text, text);

CREATE OR REPLACE FUNCTION memories_personal_owners() RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
BEGIN ATOMIC
    SELECT DISTINCT user_id FROM public.memories
    WHERE tenant_id = brain_tenant() AND memory_kind_is_personal(kind)
    ORDER BY user_id;
END;

CREATE OR REPLACE FUNCTION gamification_reuse_elsewhere(p_space text, p_referee text, p_device text) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
    AS $$
        SELECT count(DISTINCT tenant_id)::integer FROM public.gamification_redemptions
        WHERE space = p_space AND status <> 'rejected'
          AND public.brain_tenant() IS NOT NULL
          AND tenant_id <> public.brain_tenant()
          AND (referee = lower(p_referee) OR (p_device IS NOT NULL AND device_hash = p_device))
    $$;

-- The cross-tenant helpers answer the system scope in full and a tenant scope for itself only
-- (a super_admin may look a run up in any tenant, as the API lets it). No scope: nothing.
CREATE OR REPLACE FUNCTION run_tenant(run uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
    AS $$
        SELECT tenant_id FROM public.runs
        WHERE id = run AND (public.brain_role() IN ('system', 'super_admin') OR tenant_id = public.brain_tenant())
    $$;

CREATE OR REPLACE FUNCTION due_approvals() RETURNS TABLE (id uuid, run_id uuid, tenant_id text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
    AS $$
        SELECT a.id, a.run_id, a.tenant_id FROM public.approvals a
        WHERE a.status = 'pending' AND a.expires_at <= now()
          AND (public.brain_role() = 'system' OR a.tenant_id = public.brain_tenant())
        ORDER BY a.expires_at
    $$;

CREATE OR REPLACE FUNCTION claim_due_reminders(worker text, lease_seconds int, max_rows int)
    RETURNS TABLE (id uuid, tenant_id text, space text, occurrence_at timestamptz)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
    AS $$
    UPDATE public.reminders r SET lease_owner = worker, lease_until = now() + make_interval(secs => lease_seconds)
    WHERE r.id IN (SELECT d.id FROM public.reminders d
                   WHERE d.status = 'active' AND d.next_at <= now()
                     AND (d.lease_until IS NULL OR d.lease_until < now())
                     AND (public.brain_role() = 'system' OR d.tenant_id = public.brain_tenant())
                   ORDER BY d.next_at LIMIT max_rows FOR UPDATE SKIP LOCKED)
    RETURNING r.id, r.tenant_id, r.space, r.next_at
$$;

CREATE OR REPLACE FUNCTION telegram_chat_link(chat bigint)
    RETURNS TABLE (tenant_id text, user_id text, role text, kind text, name text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
    AS $$
        SELECT l.tenant_id, l.user_id, l.role, l.kind, l.name FROM public.telegram_links l
        WHERE l.chat_id = chat AND l.space = ''
          AND (public.brain_role() = 'system' OR l.tenant_id = public.brain_tenant())
    $$;

-- `/link CODE`: the webhook's (system) work; a tenant scope may spend only its own tenant's codes.
CREATE OR REPLACE FUNCTION telegram_redeem_code(hash text, chat bigint, chat_handle text)
    RETURNS TABLE (tenant_id text, user_id text, role text, name text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
    AS $$
DECLARE
    c public.telegram_link_codes%ROWTYPE;
BEGIN
    UPDATE public.telegram_link_codes SET used_at = now(), chat_id = chat
        WHERE code_hash = hash AND used_at IS NULL AND expires_at > now()
          AND (public.brain_role() = 'system' OR telegram_link_codes.tenant_id = public.brain_tenant())
        RETURNING * INTO c;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    DELETE FROM public.telegram_links l
        WHERE l.space = '' AND (l.chat_id = chat OR (l.tenant_id = c.tenant_id AND l.user_id = c.user_id));
    INSERT INTO public.telegram_links (tenant_id, space, user_id, kind, role, chat_id, name, handle)
        VALUES (c.tenant_id, '', c.user_id, 'team', c.role, chat, c.name, chat_handle);
    RETURN QUERY SELECT c.tenant_id, c.user_id, c.role, c.name;
END $$;

-- The routing index is shared by every tenant, and a routing model is unpickled by every Brain
-- process: only the system scope (the process training it) may add to either. Everyone reads.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['routing_examples', 'routing_models'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY shared_read ON %I FOR SELECT TO brain_app USING (true)', t);
        EXECUTE format('CREATE POLICY system_writes ON %I FOR INSERT TO brain_app'
                       ' WITH CHECK ((SELECT brain_role()) = ''system'')', t);
    END LOOP;
END $$;

-- The functions above run as the owner. When the owner is a superuser (the embedded server) it
-- bypasses row-level security; when it is not (a managed Postgres), FORCE below would hide every
-- row from it too, so the owner sees rows while (and only while) such a function sets
-- brain.maintenance. memories has had these policies since 003.
ALTER FUNCTION memories_purge_expired() SET brain.maintenance = 'on';
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relrowsecurity
    LOOP
        EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t.relname);
        IF t.relname <> 'memories' THEN
            EXECUTE format('CREATE POLICY owner_maintenance ON public.%I TO CURRENT_USER'
                           ' USING (current_setting(''brain.maintenance'', true) = ''on'')'
                           ' WITH CHECK (current_setting(''brain.maintenance'', true) = ''on'')', t.relname);
        END IF;
    END LOOP;
END $$;
