-- Domain events (append-only, partitioned by month), the CDR projection, and
-- agent state intervals. Events carry no foreign keys: the writer must accept
-- them at full speed, and an event is never refused once acknowledged.

CREATE TABLE events (
    event_id    uuid        NOT NULL,
    tenant_id   uuid        NOT NULL,
    at          timestamptz NOT NULL,
    seq         bigint      NOT NULL,
    call_id     uuid,
    agent_id    uuid,
    kind        text        NOT NULL,
    payload     jsonb       NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    -- A unique constraint on a partitioned table must contain the partition
    -- key. An event's time never changes, so (event_id, at) identifies it as
    -- well as event_id alone, and a retried batch is still stored once.
    PRIMARY KEY (event_id, at)
) PARTITION BY RANGE (at);

-- Events outside every monthly partition land here rather than failing.
CREATE TABLE events_default PARTITION OF events DEFAULT;

-- Creates the monthly partitions covering [from_month, from_month + months).
CREATE FUNCTION ensure_event_partitions(from_month date, months int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    m date;
    name text;
BEGIN
    FOR i IN 0 .. months - 1 LOOP
        m := date_trunc('month', from_month)::date + make_interval(months => i);
        name := format('events_%s', to_char(m, 'YYYY_MM'));
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
                           name, m, (m + interval '1 month')::date);
        END IF;
    END LOOP;
END $$;

SELECT ensure_event_partitions((date_trunc('month', now()) - interval '12 months')::date, 27);

CREATE INDEX events_tenant_at ON events (tenant_id, at);
CREATE INDEX events_tenant_call ON events (tenant_id, call_id, seq) WHERE call_id IS NOT NULL;
CREATE INDEX events_tenant_agent ON events (tenant_id, agent_id, at) WHERE agent_id IS NOT NULL;
CREATE INDEX events_tenant_kind ON events (tenant_id, kind, at);

-- One row per call, finalised when the call ends (the CDR).
CREATE TABLE calls (
    call_id                uuid PRIMARY KEY,
    tenant_id              uuid        NOT NULL,
    arrived_at             timestamptz NOT NULL,
    ivr_entered_at         timestamptz,
    ivr_left_at            timestamptz,
    queued_at              timestamptz,
    answered_at            timestamptz,
    ended_at               timestamptz,
    outcome                text        NOT NULL, -- answered, abandoned, voicemail, callback, overflow, flow_hangup, transferred_out, failed
    abandon_stage          text,                 -- ivr, queue, ringing
    end_cause              text,
    number_id              uuid,
    queue_id               uuid,
    agent_id               uuid,
    contact_id             uuid,
    caller_number          text        NOT NULL,
    dialled_number         text        NOT NULL,
    vip_tier               smallint    NOT NULL DEFAULT 0,
    outside_business_hours boolean     NOT NULL DEFAULT false,
    wait_ms                bigint,
    ring_ms                bigint,
    talk_ms                bigint,
    hold_ms                bigint,
    wrap_up_ms             bigint,
    survey_score           smallint,
    survey_scale           smallint,
    disposition            text
);

CREATE INDEX calls_tenant_arrived ON calls (tenant_id, arrived_at);
CREATE INDEX calls_tenant_queue_arrived ON calls (tenant_id, queue_id, arrived_at);
CREATE INDEX calls_tenant_agent_arrived ON calls (tenant_id, agent_id, arrived_at);
CREATE INDEX calls_tenant_caller_arrived ON calls (tenant_id, caller_number, arrived_at);

-- Time each agent spent in each state; the open interval has no end.
CREATE TABLE agent_state_intervals (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    agent_id   uuid        NOT NULL,
    state      text        NOT NULL,
    reason     text,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);

CREATE INDEX agent_state_intervals_tenant_agent ON agent_state_intervals (tenant_id, agent_id, started_at);
CREATE INDEX agent_state_intervals_tenant_started ON agent_state_intervals (tenant_id, started_at);
CREATE UNIQUE INDEX agent_state_intervals_one_open ON agent_state_intervals (tenant_id, agent_id) WHERE ended_at IS NULL;
