-- The gamification service: referral codes and redemptions with fraud checks, reward tiers,
-- achievements, leaderboards and portfolio showcase entries.
-- Every table is per tenant and per `space` (the sandbox namespace: '' is the tenant's live
-- state, an eval case has its own) and under row-level security for the application role.

-- Per tenant and space: the fraud threshold and the reward value above which a grant is held.
-- The row's presence also marks a space as started (demo data is seeded with it).
CREATE TABLE gamification_settings (
    tenant_id         text NOT NULL,
    space             text NOT NULL DEFAULT '',
    fraud_threshold   integer NOT NULL DEFAULT 50 CHECK (fraud_threshold BETWEEN 1 AND 100),
    hold_reward_value numeric(12, 2) NOT NULL DEFAULT 100 CHECK (hold_reward_value >= 0),
    velocity_limit    integer NOT NULL DEFAULT 5 CHECK (velocity_limit >= 1),  -- redemptions per code per hour
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, space)
);

CREATE TABLE gamification_reward_tiers (
    tenant_id   text NOT NULL,
    space       text NOT NULL DEFAULT '',
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('discount', 'premium_feature', 'exclusive_access')),
    value       numeric(12, 2) NOT NULL DEFAULT 0 CHECK (value >= 0),  -- what one reward is worth
    description text NOT NULL DEFAULT '',
    is_default  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, space, name)
);

CREATE TABLE gamification_referral_codes (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      text NOT NULL,
    space          text NOT NULL DEFAULT '',
    code           text NOT NULL,
    referrer       text NOT NULL,
    referrer_email text,          -- for the self-referral check (when known)
    referrer_device text,         -- device/IP hash of the referrer (when known)
    platform       text CHECK (platform IN ('bizoholic', 'coreldove', 'directory')),
    reward_tier    text NOT NULL,
    usage_limit    integer CHECK (usage_limit >= 1),
    expires_at     date,
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_by     text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, space, code)
);
-- One active code per referrer and platform.
CREATE UNIQUE INDEX gamification_codes_one_active ON gamification_referral_codes
    (tenant_id, space, lower(referrer), coalesce(platform, '')) WHERE status = 'active';

CREATE TABLE gamification_redemptions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      text NOT NULL,
    space          text NOT NULL DEFAULT '',
    code           text NOT NULL,
    referee        text NOT NULL,  -- email, lower case
    referee_domain text NOT NULL,
    device_hash    text,
    reference      text,
    fraud_score    integer NOT NULL DEFAULT 0,
    fraud_checks   jsonb NOT NULL DEFAULT '[]',
    status         text NOT NULL CHECK (status IN ('granted', 'held', 'rejected')),
    rewards        jsonb NOT NULL DEFAULT '[]',  -- the rewards booked (empty unless granted)
    approved_by    text,
    created_by     text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, space, code, referee)
);
CREATE INDEX gamification_redemptions_recent ON gamification_redemptions (tenant_id, space, code, created_at);
CREATE INDEX gamification_redemptions_referee ON gamification_redemptions (space, referee);
CREATE INDEX gamification_redemptions_device ON gamification_redemptions (space, device_hash);

-- "10 orders in a week", "campaign CTR over 3%": a metric, a threshold and a period. A badge
-- awarded by hand without a definition gets one with metric NULL.
CREATE TABLE gamification_achievement_definitions (
    tenant_id   text NOT NULL,
    space       text NOT NULL DEFAULT '',
    achievement text NOT NULL,
    description text NOT NULL DEFAULT '',
    metric      text,
    threshold   numeric(14, 2),
    period      text NOT NULL DEFAULT 'all' CHECK (period IN ('week', 'month', 'quarter', 'year', 'all')),
    platform    text,
    PRIMARY KEY (tenant_id, space, achievement)
);

CREATE TABLE gamification_achievements (
    tenant_id   text NOT NULL,
    space       text NOT NULL DEFAULT '',
    subject     text NOT NULL,
    achievement text NOT NULL,
    evidence    text,
    platform    text,
    awarded_by  text NOT NULL DEFAULT '',
    awarded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX gamification_achievements_once ON gamification_achievements
    (tenant_id, space, lower(subject), lower(achievement));

-- Leaderboard scores as dated observations; a board's ranking aggregates them per period.
CREATE TABLE gamification_scores (
    id          bigserial PRIMARY KEY,
    tenant_id   text NOT NULL,
    space       text NOT NULL DEFAULT '',
    board       text NOT NULL,
    subject     text NOT NULL,
    score       numeric(14, 2) NOT NULL,
    industry    text,
    platform    text,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gamification_scores_board ON gamification_scores (tenant_id, space, board, recorded_at);

-- A subject's opt-in: board '' is every board; a board's own row wins over it.
CREATE TABLE gamification_visibility (
    tenant_id  text NOT NULL,
    space      text NOT NULL DEFAULT '',
    subject    text NOT NULL,
    board      text NOT NULL DEFAULT '',
    visibility text NOT NULL CHECK (visibility IN ('public', 'anonymous', 'hidden')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX gamification_visibility_one ON gamification_visibility (tenant_id, space, lower(subject), board);

CREATE TABLE gamification_portfolio_entries (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   text NOT NULL,
    space       text NOT NULL DEFAULT '',
    subject     text NOT NULL,
    title       text NOT NULL,
    summary     text NOT NULL,
    body        text NOT NULL,
    text_source text NOT NULL,  -- 'model:<name>' or 'template'
    metrics     jsonb NOT NULL DEFAULT '{}',
    achievement text,
    testimonial text,
    visibility  text NOT NULL CHECK (visibility IN ('draft', 'private', 'public')),
    status      text NOT NULL CHECK (status IN ('draft', 'private', 'awaiting_approval', 'published')),
    approved_by text,
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX gamification_portfolio_one ON gamification_portfolio_entries
    (tenant_id, space, lower(subject), lower(title));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['gamification_settings', 'gamification_reward_tiers', 'gamification_referral_codes',
                             'gamification_redemptions', 'gamification_achievement_definitions',
                             'gamification_achievements', 'gamification_scores', 'gamification_visibility',
                             'gamification_portfolio_entries']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_rows ON %I TO brain_app'
                       ' USING (tenant_id = current_setting(''app.tenant_id'', true))'
                       ' WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO brain_app', t);
    END LOOP;
END $$;
GRANT USAGE ON SEQUENCE gamification_scores_id_seq TO brain_app;

-- The cross-tenant reuse check: how many OTHER tenants saw this referee email (or device/IP
-- hash) redeem a code, in the same space. A count only: never another tenant's rows or names.
-- With no tenant set in the transaction it counts nothing.
CREATE FUNCTION gamification_reuse_elsewhere(p_space text, p_referee text, p_device text) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT count(DISTINCT tenant_id)::integer FROM gamification_redemptions
        WHERE space = p_space AND status <> 'rejected'
          AND coalesce(current_setting('app.tenant_id', true), '') <> ''
          AND tenant_id <> current_setting('app.tenant_id', true)
          AND (referee = lower(p_referee) OR (p_device IS NOT NULL AND device_hash = p_device))
    $$;
REVOKE ALL ON FUNCTION gamification_reuse_elsewhere(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gamification_reuse_elsewhere(text, text, text) TO brain_app;
