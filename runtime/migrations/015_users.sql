-- Local users of the admin console and of `POST /api/brain/auth/login` (runtime/users.py): an e-mail,
-- an argon2 password hash, one role in one tenant. Signing in happens before any tenant is known, so
-- the lookup by e-mail, the lockout counters and the refresh sessions are the process's own work in
-- its signed `system` scope (013); `brain users ...` acts in that scope too. A tenant scope sees its
-- own tenant's users only, and only as tenant_admin or super_admin (the console's user list); it
-- never writes them. Row-level security is enabled and forced, as on every tenant table (013).

CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email            text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%' AND length(email) <= 254),
    password_hash    text NOT NULL,
    role             text NOT NULL CHECK (role IN ('viewer', 'operator', 'tenant_admin', 'super_admin')),
    tenant_id        text NOT NULL REFERENCES tenants (id),
    disabled         boolean NOT NULL DEFAULT false,
    failed_logins    integer NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    created_by       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_login_at    timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_tenant ON users (tenant_id);

-- A refresh token is a random secret given once to its holder; only its SHA-256 is kept. Rotated on
-- every refresh (the old one is revoked), revoked on logout, on disabling the user and on a role change.
CREATE TABLE user_sessions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id   text NOT NULL,
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'user_sessions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY system_all ON %I TO brain_app'
                       ' USING ((SELECT brain_role()) = ''system'') WITH CHECK ((SELECT brain_role()) = ''system'')', t);
        EXECUTE format('CREATE POLICY owner_maintenance ON public.%I TO CURRENT_USER'
                       ' USING (current_setting(''brain.maintenance'', true) = ''on'')'
                       ' WITH CHECK (current_setting(''brain.maintenance'', true) = ''on'')', t);
    END LOOP;
END $$;
CREATE POLICY tenant_admins_read ON users FOR SELECT TO brain_app
    USING (tenant_id = (SELECT brain_tenant()) AND (SELECT brain_role()) IN ('tenant_admin', 'super_admin'));
GRANT SELECT, INSERT, UPDATE ON users TO brain_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_sessions TO brain_app;
