-- The role the application connects as: neither superuser nor owner of the tables, so that
-- row-level security applies to it (invariant 5). Migrations run as the owner.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'brain_app') THEN
        CREATE ROLE brain_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
END $$;
GRANT USAGE ON SCHEMA public TO brain_app;
