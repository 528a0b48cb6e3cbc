-- Reporting (issue 7): the rollups of migration 0010, kept up to date by
-- statement-level triggers on `calls` and `agent_state_intervals`.
--
-- Each trigger takes the statement's old rows (transition table OLD TABLE)
-- out and its new rows (NEW TABLE) in: every row contributes -1 or +1 times
-- its counters to the rollup rows of its keys, the contributions are summed
-- per key, and each key's sum is upserted (`x = rollup.x + EXCLUDED.x`),
-- keys in sorted order so that concurrent writers lock rollup rows in the
-- same order and cannot deadlock. The `calls` rows are applied once per
-- transaction, when it commits (rollup_pending below); agent intervals at
-- once, per statement (the event writer changes one agent's intervals under
-- that agent's advisory lock, so two transactions never share a key). A row
-- re-finalised unchanged contributes nothing; a key whose sum is zero is
-- not written; a rollup row whose counters all fall back to 0 is deleted,
-- so the tables hold exactly what `rebuild_rollups` computes from scratch.
--
-- The counters are the column comments of 0010; model::report's
-- `CallCounters::of` and `AgentCounters::of` are the same rules in Rust
-- (the store's tests check that the two agree). A statement's rows are
-- handed over as arrays: keep a bulk load to statements of some ten
-- thousand rows, or load first and call rebuild_rollups.

-- The 15 minutes (from the Unix epoch, UTC) `at` falls in.
CREATE FUNCTION rollup_bucket(at_ timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin('15 minutes', at_, timestamptz '1970-01-01 00:00:00+00')
$$;

-- Whole milliseconds from a to b: 0 when b is earlier or either is NULL.
CREATE FUNCTION rollup_ms(a timestamptz, b timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(greatest(floor(extract(epoch FROM b - a) * 1000), 0), 0)::bigint
$$;

-- s (the sign of a row's contribution) when cond holds, else 0.
CREATE FUNCTION rollup_n(s integer, cond boolean) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN cond THEN s ELSE 0 END
$$;

-- s times v (NULL and negative count as 0) when cond holds, else 0.
CREATE FUNCTION rollup_sum(s integer, cond boolean, v bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN cond THEN s * greatest(coalesce(v, 0), 0) ELSE 0 END
$$;

-- Whether any value of a JSON object of counters is not 0.
CREATE FUNCTION rollup_nonzero(counters jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_path_exists(counters, '$.* ? (@ != 0)')
$$;

-- Takes the `calls` rows `gone` out of the rollups and puts `came` in.
-- Generic plans: planning these statements anew for each call's arrays
-- took some 10 ms, executing them under a millisecond for a batch.
CREATE FUNCTION rollup_calls(gone calls[], came calls[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    emptied tid[];
BEGIN
    IF cardinality(gone) = 0 AND cardinality(came) = 0 THEN
        RETURN;
    END IF;

    -- call_rollup: every row, under its arrival bucket and dimensions.
    WITH d AS (
        SELECT -1 AS s, o.* FROM unnest(gone) AS o
        UNION ALL
        SELECT 1, n.* FROM unnest(came) AS n
    ), e AS (
        SELECT d.*, rollup_bucket(arrived_at) AS bucket, ivr_entered_at IS NOT NULL AS via_ivr,
               outcome = 'answered' AS answered,
               outcome = 'abandoned' AND abandon_stage IN ('queue', 'ringing') AS abandoned_waiting,
               outcome = 'callback' AND answered_at IS NOT NULL AS callback_completed,
               greatest(coalesce(wait_ms, 0), 0) AS wait
          FROM d
    ), g AS (
        SELECT tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours,
               sum(s) AS calls,
               sum(rollup_n(s, queued_at IS NOT NULL)) AS queued,
               sum(rollup_n(s, answered)) AS answered,
               sum(rollup_n(s, outcome = 'abandoned' AND abandon_stage = 'ivr')) AS abandoned_ivr,
               sum(rollup_n(s, outcome = 'abandoned' AND abandon_stage = 'queue')) AS abandoned_queue,
               sum(rollup_n(s, outcome = 'abandoned' AND abandon_stage = 'ringing')) AS abandoned_ringing,
               sum(rollup_n(s, outcome = 'voicemail')) AS voicemail,
               sum(rollup_n(s, outcome = 'callback')) AS callback,
               sum(rollup_n(s, outcome = 'overflow')) AS overflow,
               sum(rollup_n(s, outcome = 'failed')) AS failed,
               sum(rollup_n(s, outcome = 'flow_hangup')) AS flow_hangup,
               sum(rollup_n(s, outcome = 'transferred_out')) AS transferred_out,
               sum(rollup_n(s, outcome = 'not_reached')) AS not_reached,
               sum(rollup_n(s, answered AND wait <= 5000)) AS answered_within_5,
               sum(rollup_n(s, answered AND wait <= 10000)) AS answered_within_10,
               sum(rollup_n(s, answered AND wait <= 15000)) AS answered_within_15,
               sum(rollup_n(s, answered AND wait <= 20000)) AS answered_within_20,
               sum(rollup_n(s, answered AND wait <= 30000)) AS answered_within_30,
               sum(rollup_n(s, answered AND wait <= 45000)) AS answered_within_45,
               sum(rollup_n(s, answered AND wait <= 60000)) AS answered_within_60,
               sum(rollup_n(s, answered AND wait <= 90000)) AS answered_within_90,
               sum(rollup_n(s, answered AND wait <= 120000)) AS answered_within_120,
               sum(rollup_n(s, answered AND wait <= 180000)) AS answered_within_180,
               sum(rollup_n(s, answered AND wait <= 300000)) AS answered_within_300,
               sum(rollup_n(s, abandoned_waiting AND wait <= 5000)) AS abandoned_within_5,
               sum(rollup_n(s, abandoned_waiting AND wait <= 10000)) AS abandoned_within_10,
               sum(rollup_n(s, abandoned_waiting AND wait <= 15000)) AS abandoned_within_15,
               sum(rollup_n(s, abandoned_waiting AND wait <= 20000)) AS abandoned_within_20,
               sum(rollup_n(s, abandoned_waiting AND wait <= 30000)) AS abandoned_within_30,
               sum(rollup_n(s, abandoned_waiting AND wait <= 45000)) AS abandoned_within_45,
               sum(rollup_n(s, abandoned_waiting AND wait <= 60000)) AS abandoned_within_60,
               sum(rollup_n(s, abandoned_waiting AND wait <= 90000)) AS abandoned_within_90,
               sum(rollup_n(s, abandoned_waiting AND wait <= 120000)) AS abandoned_within_120,
               sum(rollup_n(s, abandoned_waiting AND wait <= 180000)) AS abandoned_within_180,
               sum(rollup_n(s, abandoned_waiting AND wait <= 300000)) AS abandoned_within_300,
               sum(rollup_sum(s, answered, wait)) AS wait_answered_ms,
               sum(rollup_sum(s, abandoned_waiting, wait)) AS wait_abandoned_ms,
               sum(rollup_sum(s, ivr_entered_at IS NOT NULL, rollup_ms(ivr_entered_at, ivr_left_at))) AS ivr_ms,
               sum(rollup_sum(s, answered, ring_ms)) AS ring_ms,
               sum(rollup_sum(s, answered, talk_ms)) AS talk_ms,
               sum(rollup_sum(s, answered, hold_ms)) AS hold_ms,
               sum(rollup_n(s, answered AND hold_ms > 0)) AS held_calls,
               sum(rollup_sum(s, wrap_up_ms IS NOT NULL, wrap_up_ms)) AS wrap_up_ms,
               sum(rollup_n(s, wrap_up_ms IS NOT NULL)) AS wrap_up_calls,
               sum(rollup_n(s, callback_offered)) AS callback_offered,
               sum(rollup_n(s, callback_completed)) AS callback_completed,
               sum(rollup_sum(s, callback_completed, rollup_ms(queued_at + wait_ms * interval '1 millisecond', answered_at))) AS callback_delay_ms,
               sum(rollup_n(s, survey_scale = 5 AND survey_score = 1)) AS csat_1,
               sum(rollup_n(s, survey_scale = 5 AND survey_score = 2)) AS csat_2,
               sum(rollup_n(s, survey_scale = 5 AND survey_score = 3)) AS csat_3,
               sum(rollup_n(s, survey_scale = 5 AND survey_score = 4)) AS csat_4,
               sum(rollup_n(s, survey_scale = 5 AND survey_score = 5)) AS csat_5,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 0)) AS nps_0,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 1)) AS nps_1,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 2)) AS nps_2,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 3)) AS nps_3,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 4)) AS nps_4,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 5)) AS nps_5,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 6)) AS nps_6,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 7)) AS nps_7,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 8)) AS nps_8,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 9)) AS nps_9,
               sum(rollup_n(s, survey_scale = 10 AND survey_score = 10)) AS nps_10
          FROM e
         GROUP BY tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours
    ), up AS (
        INSERT INTO call_rollup AS r (tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr,
            outside_business_hours, calls, queued, answered, abandoned_ivr, abandoned_queue,
            abandoned_ringing, voicemail, callback, overflow, failed, flow_hangup, transferred_out,
            not_reached, answered_within_5, answered_within_10, answered_within_15, answered_within_20,
            answered_within_30, answered_within_45, answered_within_60, answered_within_90,
            answered_within_120, answered_within_180, answered_within_300, abandoned_within_5,
            abandoned_within_10, abandoned_within_15, abandoned_within_20, abandoned_within_30,
            abandoned_within_45, abandoned_within_60, abandoned_within_90, abandoned_within_120,
            abandoned_within_180, abandoned_within_300, wait_answered_ms, wait_abandoned_ms, ivr_ms, ring_ms,
            talk_ms, hold_ms, held_calls, wrap_up_ms, wrap_up_calls, callback_offered, callback_completed,
            callback_delay_ms, csat_1, csat_2, csat_3, csat_4, csat_5, nps_0, nps_1, nps_2, nps_3, nps_4,
            nps_5, nps_6, nps_7, nps_8, nps_9, nps_10)
        SELECT tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours,
            calls, queued, answered, abandoned_ivr, abandoned_queue, abandoned_ringing, voicemail, callback,
            overflow, failed, flow_hangup, transferred_out, not_reached, answered_within_5,
            answered_within_10, answered_within_15, answered_within_20, answered_within_30,
            answered_within_45, answered_within_60, answered_within_90, answered_within_120,
            answered_within_180, answered_within_300, abandoned_within_5, abandoned_within_10,
            abandoned_within_15, abandoned_within_20, abandoned_within_30, abandoned_within_45,
            abandoned_within_60, abandoned_within_90, abandoned_within_120, abandoned_within_180,
            abandoned_within_300, wait_answered_ms, wait_abandoned_ms, ivr_ms, ring_ms, talk_ms, hold_ms,
            held_calls, wrap_up_ms, wrap_up_calls, callback_offered, callback_completed, callback_delay_ms,
            csat_1, csat_2, csat_3, csat_4, csat_5, nps_0, nps_1, nps_2, nps_3, nps_4, nps_5, nps_6, nps_7,
            nps_8, nps_9, nps_10 FROM g
         WHERE rollup_nonzero(to_jsonb(g) - '{tenant_id,bucket,queue_id,number_id,vip_tier,direction,via_ivr,outside_business_hours}'::text[])
         ORDER BY tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours
        ON CONFLICT (tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours) DO UPDATE SET
                calls = r.calls + EXCLUDED.calls,
                queued = r.queued + EXCLUDED.queued,
                answered = r.answered + EXCLUDED.answered,
                abandoned_ivr = r.abandoned_ivr + EXCLUDED.abandoned_ivr,
                abandoned_queue = r.abandoned_queue + EXCLUDED.abandoned_queue,
                abandoned_ringing = r.abandoned_ringing + EXCLUDED.abandoned_ringing,
                voicemail = r.voicemail + EXCLUDED.voicemail,
                callback = r.callback + EXCLUDED.callback,
                overflow = r.overflow + EXCLUDED.overflow,
                failed = r.failed + EXCLUDED.failed,
                flow_hangup = r.flow_hangup + EXCLUDED.flow_hangup,
                transferred_out = r.transferred_out + EXCLUDED.transferred_out,
                not_reached = r.not_reached + EXCLUDED.not_reached,
                answered_within_5 = r.answered_within_5 + EXCLUDED.answered_within_5,
                answered_within_10 = r.answered_within_10 + EXCLUDED.answered_within_10,
                answered_within_15 = r.answered_within_15 + EXCLUDED.answered_within_15,
                answered_within_20 = r.answered_within_20 + EXCLUDED.answered_within_20,
                answered_within_30 = r.answered_within_30 + EXCLUDED.answered_within_30,
                answered_within_45 = r.answered_within_45 + EXCLUDED.answered_within_45,
                answered_within_60 = r.answered_within_60 + EXCLUDED.answered_within_60,
                answered_within_90 = r.answered_within_90 + EXCLUDED.answered_within_90,
                answered_within_120 = r.answered_within_120 + EXCLUDED.answered_within_120,
                answered_within_180 = r.answered_within_180 + EXCLUDED.answered_within_180,
                answered_within_300 = r.answered_within_300 + EXCLUDED.answered_within_300,
                abandoned_within_5 = r.abandoned_within_5 + EXCLUDED.abandoned_within_5,
                abandoned_within_10 = r.abandoned_within_10 + EXCLUDED.abandoned_within_10,
                abandoned_within_15 = r.abandoned_within_15 + EXCLUDED.abandoned_within_15,
                abandoned_within_20 = r.abandoned_within_20 + EXCLUDED.abandoned_within_20,
                abandoned_within_30 = r.abandoned_within_30 + EXCLUDED.abandoned_within_30,
                abandoned_within_45 = r.abandoned_within_45 + EXCLUDED.abandoned_within_45,
                abandoned_within_60 = r.abandoned_within_60 + EXCLUDED.abandoned_within_60,
                abandoned_within_90 = r.abandoned_within_90 + EXCLUDED.abandoned_within_90,
                abandoned_within_120 = r.abandoned_within_120 + EXCLUDED.abandoned_within_120,
                abandoned_within_180 = r.abandoned_within_180 + EXCLUDED.abandoned_within_180,
                abandoned_within_300 = r.abandoned_within_300 + EXCLUDED.abandoned_within_300,
                wait_answered_ms = r.wait_answered_ms + EXCLUDED.wait_answered_ms,
                wait_abandoned_ms = r.wait_abandoned_ms + EXCLUDED.wait_abandoned_ms,
                ivr_ms = r.ivr_ms + EXCLUDED.ivr_ms,
                ring_ms = r.ring_ms + EXCLUDED.ring_ms,
                talk_ms = r.talk_ms + EXCLUDED.talk_ms,
                hold_ms = r.hold_ms + EXCLUDED.hold_ms,
                held_calls = r.held_calls + EXCLUDED.held_calls,
                wrap_up_ms = r.wrap_up_ms + EXCLUDED.wrap_up_ms,
                wrap_up_calls = r.wrap_up_calls + EXCLUDED.wrap_up_calls,
                callback_offered = r.callback_offered + EXCLUDED.callback_offered,
                callback_completed = r.callback_completed + EXCLUDED.callback_completed,
                callback_delay_ms = r.callback_delay_ms + EXCLUDED.callback_delay_ms,
                csat_1 = r.csat_1 + EXCLUDED.csat_1,
                csat_2 = r.csat_2 + EXCLUDED.csat_2,
                csat_3 = r.csat_3 + EXCLUDED.csat_3,
                csat_4 = r.csat_4 + EXCLUDED.csat_4,
                csat_5 = r.csat_5 + EXCLUDED.csat_5,
                nps_0 = r.nps_0 + EXCLUDED.nps_0,
                nps_1 = r.nps_1 + EXCLUDED.nps_1,
                nps_2 = r.nps_2 + EXCLUDED.nps_2,
                nps_3 = r.nps_3 + EXCLUDED.nps_3,
                nps_4 = r.nps_4 + EXCLUDED.nps_4,
                nps_5 = r.nps_5 + EXCLUDED.nps_5,
                nps_6 = r.nps_6 + EXCLUDED.nps_6,
                nps_7 = r.nps_7 + EXCLUDED.nps_7,
                nps_8 = r.nps_8 + EXCLUDED.nps_8,
                nps_9 = r.nps_9 + EXCLUDED.nps_9,
                nps_10 = r.nps_10 + EXCLUDED.nps_10
        RETURNING r.ctid, r.calls = 0 AS empty
    )
    SELECT array_agg(ctid) FILTER (WHERE empty) INTO emptied FROM up;
    DELETE FROM call_rollup WHERE ctid = ANY (emptied);

    -- agent_rollup: the answering agent, and each agent in rona_agent_ids
    -- and rejected_agent_ids; offered = answered + rona + rejected.
    WITH d AS (
        SELECT -1 AS s, o.* FROM unnest(gone) AS o
        UNION ALL
        SELECT 1, n.* FROM unnest(came) AS n
    ), a AS (
        -- the answering agent
        SELECT s, tenant_id, arrived_at, agent_id, queue_id, direction, 1 AS answered, 0 AS rona, 0 AS rejected,
               ring_ms, talk_ms, hold_ms, wrap_up_ms,
               CASE WHEN survey_scale = 5 AND survey_score BETWEEN 1 AND 5 THEN survey_score END AS score
          FROM d WHERE agent_id IS NOT NULL AND answered_at IS NOT NULL
        UNION ALL
        -- each ring-out, each refusal (an agent twice counts twice)
        SELECT s, tenant_id, arrived_at, x.agent_id, queue_id, direction, 0, 1, 0, NULL, NULL, NULL, NULL, NULL
          FROM d, unnest(rona_agent_ids) AS x(agent_id)
        UNION ALL
        SELECT s, tenant_id, arrived_at, x.agent_id, queue_id, direction, 0, 0, 1, NULL, NULL, NULL, NULL, NULL
          FROM d, unnest(rejected_agent_ids) AS x(agent_id)
    ), g AS (
        SELECT tenant_id, rollup_bucket(arrived_at) AS bucket, agent_id, queue_id, direction,
               sum(s * (answered + rona + rejected)) AS offered,
               sum(s * answered) AS answered,
               sum(s * rona) AS rona,
               sum(s * rejected) AS rejected,
               sum(rollup_sum(s, true, ring_ms)) AS ring_ms,
               sum(rollup_sum(s, true, talk_ms)) AS talk_ms,
               sum(rollup_sum(s, true, hold_ms)) AS hold_ms,
               sum(rollup_sum(s, true, wrap_up_ms)) AS wrap_up_ms,
               sum(rollup_n(s, wrap_up_ms IS NOT NULL)) AS wrap_up_calls,
               sum(rollup_n(s, score IS NOT NULL)) AS surveyed,
               sum(rollup_sum(s, true, score)) AS survey_sum
          FROM a
         GROUP BY 1, 2, 3, 4, 5
    ), up AS (
        INSERT INTO agent_rollup AS r (tenant_id, bucket, agent_id, queue_id, direction, offered, answered,
            rona, rejected, ring_ms, talk_ms, hold_ms, wrap_up_ms, wrap_up_calls, surveyed, survey_sum)
        SELECT tenant_id, bucket, agent_id, queue_id, direction, offered, answered, rona, rejected, ring_ms,
            talk_ms, hold_ms, wrap_up_ms, wrap_up_calls, surveyed, survey_sum FROM g
         WHERE rollup_nonzero(to_jsonb(g) - '{tenant_id,bucket,agent_id,queue_id,direction}'::text[])
         ORDER BY tenant_id, bucket, agent_id, queue_id, direction
        ON CONFLICT (tenant_id, bucket, agent_id, queue_id, direction) DO UPDATE SET
                offered = r.offered + EXCLUDED.offered,
                answered = r.answered + EXCLUDED.answered,
                rona = r.rona + EXCLUDED.rona,
                rejected = r.rejected + EXCLUDED.rejected,
                ring_ms = r.ring_ms + EXCLUDED.ring_ms,
                talk_ms = r.talk_ms + EXCLUDED.talk_ms,
                hold_ms = r.hold_ms + EXCLUDED.hold_ms,
                wrap_up_ms = r.wrap_up_ms + EXCLUDED.wrap_up_ms,
                wrap_up_calls = r.wrap_up_calls + EXCLUDED.wrap_up_calls,
                surveyed = r.surveyed + EXCLUDED.surveyed,
                survey_sum = r.survey_sum + EXCLUDED.survey_sum
        RETURNING r.ctid, r.offered = 0 AS empty
    )
    SELECT array_agg(ctid) FILTER (WHERE empty) INTO emptied FROM up;
    DELETE FROM agent_rollup WHERE ctid = ANY (emptied);

    -- disposition_rollup: answered calls with a disposition.
    WITH d AS (
        SELECT -1 AS s, o.* FROM unnest(gone) AS o
        UNION ALL
        SELECT 1, n.* FROM unnest(came) AS n
    ), g AS (
        SELECT tenant_id, rollup_bucket(arrived_at) AS bucket, agent_id, queue_id, disposition, sum(s) AS calls
          FROM d WHERE disposition IS NOT NULL AND answered_at IS NOT NULL
         GROUP BY 1, 2, 3, 4, 5
    ), up AS (
        INSERT INTO disposition_rollup AS r (tenant_id, bucket, agent_id, queue_id, disposition, calls)
        SELECT tenant_id, bucket, agent_id, queue_id, disposition, calls FROM g
         WHERE rollup_nonzero(to_jsonb(g) - '{tenant_id,bucket,agent_id,queue_id,disposition}'::text[])
         ORDER BY tenant_id, bucket, agent_id, queue_id, disposition
        ON CONFLICT (tenant_id, bucket, agent_id, queue_id, disposition) DO UPDATE SET
                calls = r.calls + EXCLUDED.calls
        RETURNING r.ctid, r.calls = 0 AS empty
    )
    SELECT array_agg(ctid) FILTER (WHERE empty) INTO emptied FROM up;
    DELETE FROM disposition_rollup WHERE ctid = ANY (emptied);

    -- ivr_rollup: each choice ("node=digits") and the exit ("node=exit",
    -- node '' when the call ended inside the IVR) under the first flow.
    WITH d AS (
        SELECT -1 AS s, o.* FROM unnest(gone) AS o
        UNION ALL
        SELECT 1, n.* FROM unnest(came) AS n
    ), v AS (
        SELECT s, tenant_id, arrived_at, ivr_flow_id, 'choice' AS kind, x.choice AS value
          FROM d, unnest(ivr_choices) AS x(choice) WHERE ivr_flow_id IS NOT NULL
        UNION ALL
        SELECT s, tenant_id, arrived_at, ivr_flow_id, 'exit', coalesce(ivr_exit_node, '') || '=' || ivr_exit
          FROM d WHERE ivr_flow_id IS NOT NULL AND ivr_exit IS NOT NULL
    ), g AS (
        SELECT tenant_id, rollup_bucket(arrived_at) AS bucket, ivr_flow_id AS flow_id, kind, value, sum(s) AS calls
          FROM v
         GROUP BY 1, 2, 3, 4, 5
    ), up AS (
        INSERT INTO ivr_rollup AS r (tenant_id, bucket, flow_id, kind, value, calls)
        SELECT tenant_id, bucket, flow_id, kind, value, calls FROM g
         WHERE rollup_nonzero(to_jsonb(g) - '{tenant_id,bucket,flow_id,kind,value}'::text[])
         ORDER BY tenant_id, bucket, flow_id, kind, value
        ON CONFLICT (tenant_id, bucket, flow_id, kind, value) DO UPDATE SET
                calls = r.calls + EXCLUDED.calls
        RETURNING r.ctid, r.calls = 0 AS empty
    )
    SELECT array_agg(ctid) FILTER (WHERE empty) INTO emptied FROM up;
    DELETE FROM ivr_rollup WHERE ctid = ANY (emptied);
END $$;

-- Takes the intervals `gone` out of agent_state_rollup and puts `came` in:
-- closed intervals only, each split at the 15-minute boundaries.
CREATE FUNCTION rollup_agent_states(gone agent_state_intervals[], came agent_state_intervals[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    emptied tid[];
BEGIN
    IF cardinality(gone) = 0 AND cardinality(came) = 0 THEN
        RETURN;
    END IF;
    WITH d AS (
        SELECT -1 AS s, o.* FROM unnest(gone) AS o WHERE o.ended_at IS NOT NULL
        UNION ALL
        SELECT 1, n.* FROM unnest(came) AS n WHERE n.ended_at IS NOT NULL
    ), p AS (
        -- the interval's piece in each bucket it overlaps
        SELECT d.s, d.tenant_id, b.bucket, d.agent_id, d.state, d.reason,
               rollup_ms(greatest(d.started_at, b.bucket), least(d.ended_at, b.bucket + interval '15 minutes')) AS ms
          FROM d, generate_series(rollup_bucket(d.started_at), d.ended_at, interval '15 minutes') AS b(bucket)
    ), g AS (
        SELECT tenant_id, bucket, agent_id, state, reason, sum(s * ms) AS ms
          FROM p WHERE p.ms > 0
         GROUP BY 1, 2, 3, 4, 5
    ), up AS (
        INSERT INTO agent_state_rollup AS r (tenant_id, bucket, agent_id, state, reason, ms)
        SELECT tenant_id, bucket, agent_id, state, reason, ms FROM g
         WHERE rollup_nonzero(to_jsonb(g) - '{tenant_id,bucket,agent_id,state,reason}'::text[])
         ORDER BY tenant_id, bucket, agent_id, state, reason
        ON CONFLICT (tenant_id, bucket, agent_id, state, reason) DO UPDATE SET
                ms = r.ms + EXCLUDED.ms
        RETURNING r.ctid, r.ms = 0 AS empty
    )
    SELECT array_agg(ctid) FILTER (WHERE empty) INTO emptied FROM up;
    DELETE FROM agent_state_rollup WHERE ctid = ANY (emptied);
END $$;

-- The `calls` rows a transaction changed wait here until it commits, and
-- are then applied in one round (rollup_flush): an INSERT ... ON CONFLICT DO
-- UPDATE fires its UPDATE and its INSERT statement triggers one after the
-- other, and two transactions each locking rollup rows in two sorted rounds
-- could still deadlock. A writer may apply them earlier, inside its own
-- savepoint, with SET CONSTRAINTS rollup_flush IMMEDIATE (the event writer
-- does). Unlogged: no row outlives its transaction.
CREATE UNLOGGED TABLE rollup_pending (
    xact xid8    NOT NULL DEFAULT pg_current_xact_id(),
    gone calls[] NOT NULL,
    came calls[] NOT NULL
);
CREATE INDEX rollup_pending_xact ON rollup_pending (xact);

CREATE FUNCTION rollup_flush() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    gone_rows calls[];
    came_rows calls[];
BEGIN
    WITH d AS (DELETE FROM rollup_pending WHERE xact = pg_current_xact_id() RETURNING gone, came)
    SELECT ARRAY(SELECT g::calls FROM d, unnest(d.gone) AS g), ARRAY(SELECT c::calls FROM d, unnest(d.came) AS c)
      INTO gone_rows, came_rows;
    PERFORM rollup_calls(gone_rows, came_rows);
    RETURN NULL;
END $$;

-- Fires at commit once per staged statement; the first applies them all.
CREATE CONSTRAINT TRIGGER rollup_flush AFTER INSERT ON rollup_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rollup_flush();

-- Stages a statement's rows for rollup_flush.
CREATE FUNCTION rollup_calls_at_commit(gone calls[], came calls[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO rollup_pending (gone, came) SELECT gone, came WHERE cardinality(gone) + cardinality(came) > 0
$$;

-- The triggers: old rows out, new rows in; an updated row whose new
-- version equals its old one is left out of both.
CREATE FUNCTION calls_rollup_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM rollup_calls_at_commit('{}', ARRAY(SELECT n::calls FROM came n));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM rollup_calls_at_commit(ARRAY(SELECT o::calls FROM gone o), '{}');
    ELSE
        PERFORM rollup_calls_at_commit(
            ARRAY(SELECT o::calls FROM gone o WHERE NOT EXISTS (SELECT FROM came n WHERE n.call_id = o.call_id AND n = o)),
            ARRAY(SELECT n::calls FROM came n WHERE NOT EXISTS (SELECT FROM gone o WHERE o.call_id = n.call_id AND o = n)));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER calls_rollup_insert AFTER INSERT ON calls
    REFERENCING NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION calls_rollup_trigger();
CREATE TRIGGER calls_rollup_update AFTER UPDATE ON calls
    REFERENCING OLD TABLE AS gone NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION calls_rollup_trigger();
CREATE TRIGGER calls_rollup_delete AFTER DELETE ON calls
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION calls_rollup_trigger();

CREATE FUNCTION agent_state_rollup_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM rollup_agent_states('{}', ARRAY(SELECT n::agent_state_intervals FROM came n WHERE n.ended_at IS NOT NULL));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM rollup_agent_states(ARRAY(SELECT o::agent_state_intervals FROM gone o WHERE o.ended_at IS NOT NULL), '{}');
    ELSE
        PERFORM rollup_agent_states(
            ARRAY(SELECT o::agent_state_intervals FROM gone o WHERE o.ended_at IS NOT NULL
                   AND NOT EXISTS (SELECT FROM came n WHERE n.id = o.id AND n = o)),
            ARRAY(SELECT n::agent_state_intervals FROM came n WHERE n.ended_at IS NOT NULL
                   AND NOT EXISTS (SELECT FROM gone o WHERE o.id = n.id AND o = n)));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER agent_state_rollup_insert AFTER INSERT ON agent_state_intervals
    REFERENCING NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION agent_state_rollup_trigger();
CREATE TRIGGER agent_state_rollup_update AFTER UPDATE ON agent_state_intervals
    REFERENCING OLD TABLE AS gone NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION agent_state_rollup_trigger();
CREATE TRIGGER agent_state_rollup_delete AFTER DELETE ON agent_state_intervals
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION agent_state_rollup_trigger();

-- Recomputes the tenant's rollups from its `calls` rows and intervals (a
-- repair; the tests compare it with what the triggers kept). Writers of
-- both tables wait until the transaction ends (the tables are locked in
-- the order the event writer uses them, intervals first); rows are read in
-- chunks of 10,000.
CREATE FUNCTION rebuild_rollups(tenant uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    chunk calls[];
    last_at timestamptz := '-infinity';
    last_call uuid := '00000000-0000-0000-0000-000000000000';
    intervals agent_state_intervals[];
    last_interval bigint := -1;
BEGIN
    LOCK TABLE agent_state_intervals, calls IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM call_rollup WHERE tenant_id = tenant;
    DELETE FROM agent_rollup WHERE tenant_id = tenant;
    DELETE FROM disposition_rollup WHERE tenant_id = tenant;
    DELETE FROM ivr_rollup WHERE tenant_id = tenant;
    DELETE FROM agent_state_rollup WHERE tenant_id = tenant;
    LOOP
        chunk := ARRAY(SELECT c FROM calls c
                        WHERE c.tenant_id = tenant AND (c.arrived_at, c.call_id) > (last_at, last_call)
                        ORDER BY c.arrived_at, c.call_id LIMIT 10000);
        EXIT WHEN cardinality(chunk) = 0;
        PERFORM rollup_calls('{}', chunk);
        last_at := (chunk[cardinality(chunk)]).arrived_at;
        last_call := (chunk[cardinality(chunk)]).call_id;
    END LOOP;
    LOOP
        intervals := ARRAY(SELECT i FROM agent_state_intervals i
                            WHERE i.tenant_id = tenant AND i.id > last_interval AND i.ended_at IS NOT NULL
                            ORDER BY i.id LIMIT 10000);
        EXIT WHEN cardinality(intervals) = 0;
        PERFORM rollup_agent_states('{}', intervals);
        last_interval := (intervals[cardinality(intervals)]).id;
    END LOOP;
END $$;

-- The rows written before this migration.
SELECT rebuild_rollups(tenant_id)
  FROM (SELECT tenant_id FROM calls UNION SELECT tenant_id FROM agent_state_intervals) AS t;
