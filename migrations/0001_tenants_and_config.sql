-- Tenants and their configuration. Every tenant-owned table carries
-- tenant_id and is unique on (tenant_id, id); every reference between them
-- is a composite foreign key on (tenant_id, <ref>_id), so a row can never
-- point at another tenant's row. Nullable references use
-- ON DELETE SET NULL (column), which needs PostgreSQL 15 or later.

CREATE TABLE tenants (
    id         uuid PRIMARY KEY,
    slug       text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Platform operators: they create tenants. Tokens are stored as SHA-256.
CREATE TABLE operators (
    id         uuid PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    token_hash bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    username      text        NOT NULL,
    display_name  text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
    password_hash text        NOT NULL, -- argon2 PHC string
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    CONSTRAINT users_username_key UNIQUE (tenant_id, username)
);

-- Login sessions. Only the SHA-256 of the bearer token is stored.
CREATE TABLE sessions (
    token_hash bytea       PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_tenant_user ON sessions (tenant_id, user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Per-tenant API keys. Only the SHA-256 of the key is stored.
CREATE TABLE api_keys (
    id           uuid        PRIMARY KEY,
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
    key_hash     bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    UNIQUE (tenant_id, id)
);

CREATE TABLE skills (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    UNIQUE (tenant_id, id),
    CONSTRAINT skills_name_key UNIQUE (tenant_id, name)
);

CREATE TABLE agents (
    id            uuid     PRIMARY KEY,
    tenant_id     uuid     NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id       uuid,
    name          text     NOT NULL,
    extension     text     NOT NULL,
    vip_tier      smallint NOT NULL DEFAULT 0 CHECK (vip_tier BETWEEN 0 AND 3),
    device        text     NOT NULL DEFAULT 'registered' CHECK (device IN ('registered', 'mobile')),
    mobile_number text,
    UNIQUE (tenant_id, id),
    CONSTRAINT agents_extension_key UNIQUE (tenant_id, extension),
    CONSTRAINT agents_user_key UNIQUE (tenant_id, user_id),
    CONSTRAINT agents_user_fk FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE SET NULL (user_id)
);

CREATE TABLE agent_skills (
    tenant_id uuid     NOT NULL,
    agent_id  uuid     NOT NULL,
    skill_id  uuid     NOT NULL,
    level     smallint NOT NULL CHECK (level BETWEEN 1 AND 10),
    PRIMARY KEY (tenant_id, agent_id, skill_id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT agent_skills_skill_fk FOREIGN KEY (tenant_id, skill_id) REFERENCES skills (tenant_id, id)
);
CREATE INDEX agent_skills_skill ON agent_skills (tenant_id, skill_id);

CREATE TABLE queues (
    id                      uuid     PRIMARY KEY,
    tenant_id               uuid     NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                    text     NOT NULL,
    strategy                text     NOT NULL,
    sl_percent              smallint NOT NULL CHECK (sl_percent BETWEEN 1 AND 100),
    sl_seconds              bigint   NOT NULL CHECK (sl_seconds >= 1),
    max_wait_secs           bigint   NOT NULL CHECK (max_wait_secs >= 1),
    max_length              bigint   NOT NULL CHECK (max_length >= 1),
    wrap_up_secs            bigint   NOT NULL CHECK (wrap_up_secs BETWEEN 0 AND 3600),
    ring_timeout_secs       bigint   NOT NULL CHECK (ring_timeout_secs BETWEEN 5 AND 300),
    business_hours          jsonb    NOT NULL, -- {time_zone, weekly, holidays}
    overflow                jsonb,             -- OverflowTarget
    callback_threshold_secs bigint CHECK (callback_threshold_secs >= 0),
    priority_aging_per_min  bigint   NOT NULL DEFAULT 0 CHECK (priority_aging_per_min >= 0),
    record_calls            boolean  NOT NULL DEFAULT false,
    post_call_survey        boolean  NOT NULL DEFAULT false,
    UNIQUE (tenant_id, id),
    CONSTRAINT queues_name_key UNIQUE (tenant_id, name)
);

-- Skills every call of a queue needs.
CREATE TABLE queue_skills (
    tenant_id uuid     NOT NULL,
    queue_id  uuid     NOT NULL,
    skill_id  uuid     NOT NULL,
    min_level smallint NOT NULL CHECK (min_level BETWEEN 1 AND 10),
    position  smallint NOT NULL,
    PRIMARY KEY (tenant_id, queue_id, skill_id),
    FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT queue_skills_skill_fk FOREIGN KEY (tenant_id, skill_id) REFERENCES skills (tenant_id, id)
);
CREATE INDEX queue_skills_skill ON queue_skills (tenant_id, skill_id);

-- Which agents serve which queues, with a weight (1–100).
CREATE TABLE queue_memberships (
    tenant_id uuid     NOT NULL,
    queue_id  uuid     NOT NULL,
    agent_id  uuid     NOT NULL,
    weight    smallint NOT NULL CHECK (weight BETWEEN 1 AND 100),
    PRIMARY KEY (tenant_id, queue_id, agent_id),
    CONSTRAINT queue_memberships_queue_fk FOREIGN KEY (tenant_id, queue_id)
        REFERENCES queues (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT queue_memberships_agent_fk FOREIGN KEY (tenant_id, agent_id)
        REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX queue_memberships_agent ON queue_memberships (tenant_id, agent_id);

CREATE TABLE ivr_flows (
    id        uuid  PRIMARY KEY,
    tenant_id uuid  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name      text  NOT NULL,
    graph     jsonb NOT NULL, -- {start, nodes}
    UNIQUE (tenant_id, id),
    CONSTRAINT ivr_flows_name_key UNIQUE (tenant_id, name)
);

-- DIDs. A number is unique across the platform: it routes to one tenant.
CREATE TABLE numbers (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    e164           text NOT NULL CHECK (e164 ~ '^\+[0-9]{2,15}$'),
    label          text NOT NULL DEFAULT '',
    entry_queue_id uuid,
    entry_flow_id  uuid,
    UNIQUE (tenant_id, id),
    CONSTRAINT numbers_e164_key UNIQUE (e164),
    CHECK ((entry_queue_id IS NULL) <> (entry_flow_id IS NULL)),
    CONSTRAINT numbers_entry_queue_fk FOREIGN KEY (tenant_id, entry_queue_id) REFERENCES queues (tenant_id, id),
    CONSTRAINT numbers_entry_flow_fk FOREIGN KEY (tenant_id, entry_flow_id) REFERENCES ivr_flows (tenant_id, id)
);
CREATE INDEX numbers_tenant ON numbers (tenant_id);
CREATE INDEX numbers_entry_queue ON numbers (tenant_id, entry_queue_id) WHERE entry_queue_id IS NOT NULL;
CREATE INDEX numbers_entry_flow ON numbers (tenant_id, entry_flow_id) WHERE entry_flow_id IS NOT NULL;

-- Carrier trunks. Digest passwords must be usable by the SIP edge, so they
-- are stored as given (inside the JSON); the API never returns them.
CREATE TABLE trunks (
    id                   uuid     PRIMARY KEY,
    tenant_id            uuid     NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                 text     NOT NULL,
    host                 text     NOT NULL,
    port                 integer  NOT NULL CHECK (port BETWEEN 1 AND 65535),
    transport            text     NOT NULL CHECK (transport IN ('udp', 'tcp', 'tls')),
    inbound              jsonb    NOT NULL, -- InboundAuth: IP allow-list or digest credentials
    outbound_credentials jsonb,             -- DigestCredentials
    registration         jsonb,             -- OutboundRegistration
    priority             integer  NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 65535),
    UNIQUE (tenant_id, id),
    CONSTRAINT trunks_name_key UNIQUE (tenant_id, name)
);

CREATE TABLE contacts (
    id             uuid     PRIMARY KEY,
    tenant_id      uuid     NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name           text     NOT NULL,
    phone_numbers  text[]   NOT NULL,
    company        text     NOT NULL DEFAULT '',
    vip_tier       smallint NOT NULL DEFAULT 0 CHECK (vip_tier BETWEEN 0 AND 3),
    deal_stage     text     NOT NULL DEFAULT '',
    notes          text     NOT NULL DEFAULT '',
    owner_agent_id uuid,
    UNIQUE (tenant_id, id),
    CONSTRAINT contacts_owner_fk FOREIGN KEY (tenant_id, owner_agent_id)
        REFERENCES agents (tenant_id, id) ON DELETE SET NULL (owner_agent_id)
);
CREATE INDEX contacts_tenant_name ON contacts (tenant_id, lower(name));
CREATE INDEX contacts_phone_numbers ON contacts USING gin (phone_numbers);
