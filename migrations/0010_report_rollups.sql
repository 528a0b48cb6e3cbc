-- Reporting (issue 7): the tenant's time zone, what the CDR carries for the
-- reports, and the 15-minute rollups the reports read instead of raw rows.
--
-- The rollups are projections of the `calls` rows (and of
-- `agent_state_intervals`): every counter is a sum over the rows whose call
-- arrived in the bucket (the interval started in it, for agent states), so
-- a row finalised again (a late disposition or survey) takes its old
-- contribution out and puts its new one in. Migration 0011 keeps them up
-- to date; docs/architecture.md ("Reports") says how.

-- Reports group days, weeks and hours in the tenant's time zone (an IANA
-- name; the API validates it).
ALTER TABLE tenants ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

ALTER TABLE calls
    -- The caller was offered a callback (callback_offered), accepted or not.
    ADD COLUMN callback_offered   boolean NOT NULL DEFAULT false,
    -- Agents offered the call who let it ring out (agent_no_answer) or
    -- refused it (agent_rejected), in order; an agent twice is there twice.
    ADD COLUMN rona_agent_ids     uuid[]  NOT NULL DEFAULT '{}',
    ADD COLUMN rejected_agent_ids uuid[]  NOT NULL DEFAULT '{}',
    -- The IVR: the flow entered first, each menu choice as "node=digits"
    -- in order, and the node and way (IvrExit, snake_case) it was left by.
    ADD COLUMN ivr_flow_id        uuid,
    ADD COLUMN ivr_choices        text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN ivr_exit_node      text,
    ADD COLUMN ivr_exit           text;

-- Caller-level reports (first-attempt reach, repeat callers, FCR) use
-- calls_tenant_caller_arrived, which 0002 already creates.

-- Calls per 15 minutes of arrival and per dimension a report filters on.
-- The wait thresholds are fixed (seconds: 5 10 15 20 30 45 60 90 120 180
-- 300); a service-level threshold is one of them.
CREATE TABLE call_rollup (
    tenant_id              uuid        NOT NULL,
    bucket                 timestamptz NOT NULL, -- start of the 15 minutes (UTC) the calls arrived in
    queue_id               uuid,                 -- the CDR's queue; NULL: never queued
    number_id              uuid,                 -- the entry number; NULL: none (outbound)
    vip_tier               smallint    NOT NULL,
    direction              text        NOT NULL,
    via_ivr                boolean     NOT NULL, -- ivr_entered_at IS NOT NULL
    outside_business_hours boolean     NOT NULL,

    calls                  integer     NOT NULL DEFAULT 0, -- every row
    queued                 integer     NOT NULL DEFAULT 0, -- queued_at IS NOT NULL
    answered               integer     NOT NULL DEFAULT 0, -- outcome answered
    abandoned_ivr          integer     NOT NULL DEFAULT 0, -- outcome abandoned, by abandon_stage
    abandoned_queue        integer     NOT NULL DEFAULT 0,
    abandoned_ringing      integer     NOT NULL DEFAULT 0,
    voicemail              integer     NOT NULL DEFAULT 0, -- the other outcomes
    callback               integer     NOT NULL DEFAULT 0,
    overflow               integer     NOT NULL DEFAULT 0,
    failed                 integer     NOT NULL DEFAULT 0,
    flow_hangup            integer     NOT NULL DEFAULT 0,
    transferred_out        integer     NOT NULL DEFAULT 0,
    not_reached            integer     NOT NULL DEFAULT 0,

    -- Answered calls with wait_ms <= N s (wait_ms NULL counts as 0).
    answered_within_5      integer     NOT NULL DEFAULT 0,
    answered_within_10     integer     NOT NULL DEFAULT 0,
    answered_within_15     integer     NOT NULL DEFAULT 0,
    answered_within_20     integer     NOT NULL DEFAULT 0,
    answered_within_30     integer     NOT NULL DEFAULT 0,
    answered_within_45     integer     NOT NULL DEFAULT 0,
    answered_within_60     integer     NOT NULL DEFAULT 0,
    answered_within_90     integer     NOT NULL DEFAULT 0,
    answered_within_120    integer     NOT NULL DEFAULT 0,
    answered_within_180    integer     NOT NULL DEFAULT 0,
    answered_within_300    integer     NOT NULL DEFAULT 0,
    -- Calls abandoned in the queue or while ringing with wait_ms <= N s.
    abandoned_within_5     integer     NOT NULL DEFAULT 0,
    abandoned_within_10    integer     NOT NULL DEFAULT 0,
    abandoned_within_15    integer     NOT NULL DEFAULT 0,
    abandoned_within_20    integer     NOT NULL DEFAULT 0,
    abandoned_within_30    integer     NOT NULL DEFAULT 0,
    abandoned_within_45    integer     NOT NULL DEFAULT 0,
    abandoned_within_60    integer     NOT NULL DEFAULT 0,
    abandoned_within_90    integer     NOT NULL DEFAULT 0,
    abandoned_within_120   integer     NOT NULL DEFAULT 0,
    abandoned_within_180   integer     NOT NULL DEFAULT 0,
    abandoned_within_300   integer     NOT NULL DEFAULT 0,

    -- Sums in milliseconds, over the rows the comment names.
    wait_answered_ms       bigint      NOT NULL DEFAULT 0, -- answered: wait_ms
    wait_abandoned_ms      bigint      NOT NULL DEFAULT 0, -- abandoned in queue/ringing: wait_ms
    ivr_ms                 bigint      NOT NULL DEFAULT 0, -- via_ivr: ivr_left_at - ivr_entered_at
    ring_ms                bigint      NOT NULL DEFAULT 0, -- answered
    talk_ms                bigint      NOT NULL DEFAULT 0, -- answered
    hold_ms                bigint      NOT NULL DEFAULT 0, -- answered
    held_calls             integer     NOT NULL DEFAULT 0, -- answered with hold_ms > 0
    wrap_up_ms             bigint      NOT NULL DEFAULT 0, -- wrap_up_ms IS NOT NULL
    wrap_up_calls          integer     NOT NULL DEFAULT 0,

    callback_offered       integer     NOT NULL DEFAULT 0, -- callback_offered
    callback_completed     integer     NOT NULL DEFAULT 0, -- outcome callback, answered_at set
    callback_delay_ms      bigint      NOT NULL DEFAULT 0, -- completed: answered_at - (queued_at + wait_ms)

    -- Survey answers by score: 1-5 (survey_scale 5) and 0-10 (scale 10).
    csat_1                 integer     NOT NULL DEFAULT 0,
    csat_2                 integer     NOT NULL DEFAULT 0,
    csat_3                 integer     NOT NULL DEFAULT 0,
    csat_4                 integer     NOT NULL DEFAULT 0,
    csat_5                 integer     NOT NULL DEFAULT 0,
    nps_0                  integer     NOT NULL DEFAULT 0,
    nps_1                  integer     NOT NULL DEFAULT 0,
    nps_2                  integer     NOT NULL DEFAULT 0,
    nps_3                  integer     NOT NULL DEFAULT 0,
    nps_4                  integer     NOT NULL DEFAULT 0,
    nps_5                  integer     NOT NULL DEFAULT 0,
    nps_6                  integer     NOT NULL DEFAULT 0,
    nps_7                  integer     NOT NULL DEFAULT 0,
    nps_8                  integer     NOT NULL DEFAULT 0,
    nps_9                  integer     NOT NULL DEFAULT 0,
    nps_10                 integer     NOT NULL DEFAULT 0,

    UNIQUE NULLS NOT DISTINCT (tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours)
);

-- Per agent: the calls they answered or were offered, by the 15 minutes
-- the call arrived in and its queue.
CREATE TABLE agent_rollup (
    tenant_id     uuid        NOT NULL,
    bucket        timestamptz NOT NULL,
    agent_id      uuid        NOT NULL,
    queue_id      uuid,
    direction     text        NOT NULL,
    offered       integer     NOT NULL DEFAULT 0, -- answered + rona + rejected
    answered      integer     NOT NULL DEFAULT 0, -- the CDR's agent_id, answered_at set
    rona          integer     NOT NULL DEFAULT 0, -- times in rona_agent_ids
    rejected      integer     NOT NULL DEFAULT 0, -- times in rejected_agent_ids
    ring_ms       bigint      NOT NULL DEFAULT 0, -- answered
    talk_ms       bigint      NOT NULL DEFAULT 0,
    hold_ms       bigint      NOT NULL DEFAULT 0,
    wrap_up_ms    bigint      NOT NULL DEFAULT 0,
    wrap_up_calls integer     NOT NULL DEFAULT 0,
    surveyed      integer     NOT NULL DEFAULT 0, -- answered with a 1-5 survey score
    survey_sum    integer     NOT NULL DEFAULT 0,
    UNIQUE NULLS NOT DISTINCT (tenant_id, bucket, agent_id, queue_id, direction)
);

-- Dispositions set on answered calls, per agent and queue.
CREATE TABLE disposition_rollup (
    tenant_id   uuid        NOT NULL,
    bucket      timestamptz NOT NULL,
    agent_id    uuid,
    queue_id    uuid,
    disposition text        NOT NULL,
    calls       integer     NOT NULL DEFAULT 0,
    UNIQUE NULLS NOT DISTINCT (tenant_id, bucket, agent_id, queue_id, disposition)
);

-- IVR choices ("choice": value "node=digits") and exits ("exit": value
-- "node=exit") per flow.
CREATE TABLE ivr_rollup (
    tenant_id uuid        NOT NULL,
    bucket    timestamptz NOT NULL,
    flow_id   uuid        NOT NULL,
    kind      text        NOT NULL CHECK (kind IN ('choice', 'exit')),
    value     text        NOT NULL,
    calls     integer     NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, bucket, flow_id, kind, value)
);

-- Milliseconds each agent spent in each state (and reason) per 15 minutes:
-- the closed agent_state_intervals, each split at the bucket boundaries.
CREATE TABLE agent_state_rollup (
    tenant_id uuid        NOT NULL,
    bucket    timestamptz NOT NULL,
    agent_id  uuid        NOT NULL,
    state     text        NOT NULL,
    reason    text,
    ms        bigint      NOT NULL DEFAULT 0,
    UNIQUE NULLS NOT DISTINCT (tenant_id, bucket, agent_id, state, reason)
);
