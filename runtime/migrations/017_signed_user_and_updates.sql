-- The user a transaction acts for is signed too, and the bot's update ids are written only
-- through a function of the system scope.
--
-- 1. Until now a personal memory's owner came from `app.user_id`, a setting any brain_app session
--    may set: one user of a tenant could read another user's personal memories (expenses, health
--    logs) of the same tenant by setting it. The scope token of 013 now carries the user as well:
--
--        <hex mac>.<expiry>.<role>+<user as hex UTF-8>.<tenant>   mac over everything after the first dot
--
--    A token without `+...` (013's form) names no user: it sees no personal memory. brain_user()
--    verifies the token and answers the user, or NULL. `app.user_id` is read by nothing any more.
-- 2. telegram_updates (which update ids the bot has handled) was writable by brain_app directly:
--    any tenant's session could mark future update ids as seen, and the bot would drop them.
--    Now brain_app has no privilege on it; telegram_first_sight() records an id for the system
--    scope (the webhook) only.
-- 3. Sequences stay shared (see runtime/db.py: a tenant can learn how many ledger entries, events
--    and policy versions the platform made, from gaps in its own ids; no row, id or text of
--    another tenant). brain_app keeps USAGE (its inserts draw from them) and never SELECT or UPDATE.

CREATE FUNCTION brain_private.scope_claims(token text, OUT tenant text, OUT role text, OUT user_id text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog
    AS $$
DECLARE
    body   text;
    expiry text;
    seg    text;
    k      brain_private.scope_key%ROWTYPE;
BEGIN
    IF token IS NULL OR length(token) > 2000 OR token !~ '^[0-9a-f]{64}\.[0-9]{1,12}\.[a-z_]{1,20}(\+[0-9a-f]*)?\.' THEN
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
    seg := split_part(body, '.', 2);
    role := split_part(seg, '+', 1);
    tenant := substr(body, length(expiry) + length(seg) + 3);
    IF role NOT IN ('viewer', 'operator', 'tenant_admin', 'super_admin', 'system')
       OR (role = 'system') <> (tenant = '') THEN
        tenant := NULL;
        role := NULL;
        RETURN;
    END IF;
    IF position('+' IN seg) > 0 AND length(seg) > length(role) + 1 THEN
        user_id := convert_from(decode(substr(seg, length(role) + 2), 'hex'), 'UTF8');
    END IF;
END $$;

CREATE OR REPLACE FUNCTION brain_tenant() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog
    RETURN (SELECT c.tenant FROM brain_private.scope_claims(current_setting('app.scope', true)) AS c
            WHERE c.role <> 'system');

CREATE OR REPLACE FUNCTION brain_role() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog
    RETURN (SELECT c.role FROM brain_private.scope_claims(current_setting('app.scope', true)) AS c);

-- The user the transaction acts for, within its tenant (NULL: none named, or no valid token).
CREATE FUNCTION brain_user() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog
    RETURN (SELECT c.user_id FROM brain_private.scope_claims(current_setting('app.scope', true)) AS c
            WHERE c.role <> 'system');

REVOKE ALL ON FUNCTION brain_user() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION brain_user() TO brain_app;
DROP FUNCTION brain_private.claims(text);

-- Memories: a personal kind is visible to the signed user only. The verified tenant and user are
-- arguments, so the policy verifies the token once per statement (InitPlans), not once per row.
CREATE FUNCTION memory_visible_to(tenant_id text, kind text, user_id text, scope_tenant text, scope_user text)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN tenant_id = scope_tenant AND (NOT memory_kind_is_personal(kind) OR user_id = scope_user);

DROP POLICY memories_tenant ON memories;
CREATE POLICY memories_tenant ON memories TO brain_app
    USING (memory_visible_to(tenant_id, kind, user_id, (SELECT brain_tenant()), (SELECT brain_user())))
    WITH CHECK (memory_visible_to(tenant_id, kind, user_id, (SELECT brain_tenant()), (SELECT brain_user())));

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
         (SELECT public.brain_tenant() AS tenant, public.brain_user() AS person) AS s
    WHERE m.search_text @@ q.query
      AND memory_visible_to(m.tenant_id, m.kind, m.user_id, s.tenant, s.person)
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
DROP FUNCTION memory_visible_to(text, text, text, text);

-- The bot's update ids: recorded by the system scope only, through this function.
CREATE FUNCTION telegram_first_sight(p_update bigint, p_keep_days integer) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
BEGIN
    IF public.brain_role() IS DISTINCT FROM 'system' THEN
        RAISE EXCEPTION 'telegram updates are recorded by the webhook (the system scope) only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.telegram_updates (update_id) VALUES (p_update)
        ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    DELETE FROM public.telegram_updates WHERE received_at < now() - make_interval(days => p_keep_days);
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION telegram_first_sight(bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telegram_first_sight(bigint, integer) TO brain_app;
REVOKE ALL ON telegram_updates FROM brain_app;

-- Sequences: drawing numbers (USAGE) for the application's inserts, never reading or setting them.
DO $$
DECLARE
    s record;
BEGIN
    FOR s IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'S' AND n.nspname = 'public'
    LOOP
        EXECUTE format('REVOKE SELECT, UPDATE ON SEQUENCE %I.%I FROM brain_app', s.nspname, s.relname);
    END LOOP;
END $$;
