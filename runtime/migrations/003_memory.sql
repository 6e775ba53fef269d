-- The shared memory of a tenant's agents: episodes, facts and document chunks with their
-- embeddings (pgvector, HNSW) and a full-text vector, isolated per tenant by row-level security
-- (DESIGN.md invariant 5). The application connects as brain_app (002_app_role.sql).

-- Kinds only their owner may see (shared/catalog/tools.md, memory.search). One list, used by the
-- policy and by the idempotency key; inlined by the planner (plain SQL, immutable).
CREATE FUNCTION memory_kind_is_personal(kind text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN kind IN ('expense', 'health_log', 'medication', 'family_contact', 'check_in', 'personal_note');

CREATE TABLE memories (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     text NOT NULL CHECK (tenant_id <> ''),
    user_id       text CHECK (user_id <> ''),
    agent         text,
    source_run    uuid,
    kind          text NOT NULL CHECK (kind IN (
                      'episode', 'document',
                      'fact', 'brand_voice', 'icp', 'policy', 'service_package', 'decision', 'campaign_brief',
                      'keyword_plan', 'supplier_note', 'test_result',
                      'expense', 'health_log', 'medication', 'family_contact', 'check_in', 'personal_note')),
    subject       text,
    text          text NOT NULL CHECK (text <> ''),
    tags          text[] NOT NULL DEFAULT '{}',
    metadata      jsonb NOT NULL DEFAULT '{}',
    -- all-MiniLM-L6-v2 gives 384 dimensions. The model that made each vector is stored with it, so
    -- a model change is detected (MemoryStore.stale_model_count, reembed); a model with another
    -- dimension needs a migration that changes this column and rebuilds the HNSW index.
    embedding     vector(384) NOT NULL,
    embed_model   text NOT NULL,
    embed_dim     integer NOT NULL CHECK (embed_dim > 0),
    search_text   tsvector GENERATED ALWAYS AS (
                      setweight(to_tsvector('english', coalesce(subject, '')), 'A')
                      || setweight(to_tsvector('english', text), 'B')) STORED,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at    timestamptz,
    -- The newer entry that replaced this one (a near-duplicate, or `supersedes`). A superseded row
    -- is never returned; it stays as the history of its replacement and goes when that one goes.
    superseded_by uuid REFERENCES memories (id) ON DELETE CASCADE,
    CHECK (superseded_by IS DISTINCT FROM id),
    CHECK (user_id IS NOT NULL OR NOT memory_kind_is_personal(kind))
);

-- Vector search. HNSW with pgvector's defaults m = 16, ef_construction = 64: on this 2-core machine
-- 1M rows of 384 dimensions build in ~13 minutes, and searches reach recall@10 0.96 at ef_search 100
-- (MemoryStore's default) and 0.99 at 200, p99 under 15 ms (bench/README.md). Larger m or
-- ef_construction did not raise recall consistently at 100k and cost build time.
-- Partial: superseded rows are never candidates, so they cannot crowd live ones out of the top-N.
CREATE INDEX memories_embedding_hnsw ON memories
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)
    WHERE superseded_by IS NULL;

-- Full-text search (websearch_to_tsquery('english', ...) @@ search_text).
CREATE INDEX memories_search_text ON memories USING gin (search_text);

-- Filters, dedupe candidates (same tenant, kind, subject) and the time window.
CREATE INDEX memories_tenant_kind_subject ON memories (tenant_id, kind, subject) WHERE superseded_by IS NULL;
CREATE INDEX memories_tenant_created ON memories (tenant_id, created_at);
CREATE INDEX memories_expires ON memories (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX memories_superseded_by ON memories (superseded_by) WHERE superseded_by IS NOT NULL;

-- Idempotency on (kind, subject, text): one live entry per tenant, and per owner for personal kinds
-- (so a personal entry never collides with, or reveals, another user's).
CREATE UNIQUE INDEX memories_idempotency ON memories (
    tenant_id, kind, coalesce(subject, ''), md5(text),
    (CASE WHEN memory_kind_is_personal(kind) THEN user_id ELSE '' END)
) WHERE superseded_by IS NULL;

-- Who may see a row in the current transaction: the tenant set by the runtime
-- (SELECT set_config('app.tenant_id', ..., true)), and for personal kinds also the owner
-- (app.user_id). A missing or empty setting matches nothing, so a forgotten setting fails closed.
-- One definition for the policy and for memories_text_search; plain SQL, so the planner inlines it
-- (and can use the tenant index).
CREATE FUNCTION memory_visible(tenant_id text, kind text, user_id text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN tenant_id = current_setting('app.tenant_id', true)
        AND (NOT memory_kind_is_personal(kind) OR user_id = current_setting('app.user_id', true));

-- Row-level security, forced so that the owner is subject to it too (a superuser is not).
ALTER TABLE memories ENABLE ROW LEVEL SECURITY;
ALTER TABLE memories FORCE ROW LEVEL SECURITY;

CREATE POLICY memories_tenant ON memories TO brain_app
    USING (memory_visible(tenant_id, kind, user_id))
    WITH CHECK (memory_visible(tenant_id, kind, user_id));

-- The owner (the role running this migration) sees rows only inside the SECURITY DEFINER functions
-- below, which turn brain.maintenance on for their own duration. This matters when the owner is
-- not a superuser (a managed Postgres); a superuser owner bypasses row-level security anyway.
CREATE POLICY memories_maintenance ON memories FOR SELECT TO CURRENT_USER
    USING (current_setting('brain.maintenance', true) = 'on');
CREATE POLICY memories_maintenance_delete ON memories FOR DELETE TO CURRENT_USER
    USING (current_setting('brain.maintenance', true) = 'on');

GRANT SELECT, INSERT, UPDATE, DELETE ON memories TO brain_app;

-- The periodic purge, for every tenant at once: delete expired rows (their superseded history goes
-- with them, ON DELETE CASCADE) and return how many. The runtime's job calls it as brain_app:
-- `SELECT memories_purge_expired()`. It reveals nothing: expired rows are never returned anyway.
CREATE FUNCTION memories_purge_expired() RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
BEGIN ATOMIC
    WITH gone AS (DELETE FROM public.memories WHERE expires_at <= now() RETURNING 1)
    SELECT count(*) FROM gone;
END;
REVOKE ALL ON FUNCTION memories_purge_expired() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION memories_purge_expired() TO brain_app;

-- For re-embedding a tenant after a model change: the users who own personal entries in the tenant
-- of the current transaction (app.tenant_id), so the runtime can re-embed them under each owner's
-- app.user_id. Only ids, never texts, and never another tenant's.
CREATE FUNCTION memories_personal_owners() RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    SET brain.maintenance = 'on'
BEGIN ATOMIC
    SELECT DISTINCT user_id FROM public.memories
    WHERE tenant_id = current_setting('app.tenant_id', true) AND memory_kind_is_personal(kind)
    ORDER BY user_id;
END;
REVOKE ALL ON FUNCTION memories_personal_owners() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION memories_personal_owners() TO brain_app;

-- Full-text candidates for hybrid search. Postgres never uses an index for a non-leakproof
-- operator such as @@ under a row-level security policy (it would see other tenants' rows before
-- the policy filters them), so as brain_app a text search scans every row of the tenant. This
-- function runs as the owner, where the GIN index is usable, applies the same memory_visible()
-- predicate to the current transaction's settings (it takes no tenant argument), and returns only
-- ids and ranks: MemoryStore reads the rows themselves through the policy. With an owner that is
-- neither superuser nor BYPASSRLS the forced policy applies here too: still correct, without GIN.
CREATE FUNCTION memories_text_search(
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
    FROM public.memories AS m, websearch_to_tsquery('english', search_query) AS q(query)
    WHERE m.search_text @@ q.query
      AND memory_visible(m.tenant_id, m.kind, m.user_id)
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
REVOKE ALL ON FUNCTION memories_text_search(text, integer, text[], text, text, text, timestamptz, timestamptz)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION memories_text_search(text, integer, text[], text, text, text, timestamptz, timestamptz)
    TO brain_app;
