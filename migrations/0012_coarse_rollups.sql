-- Reporting (issue 7): coarser copies of the three rollups a month-long
-- report reads most, so that 30 days are some 720 rows per dimension
-- instead of 2,880.
--
-- call_rollup_hour holds call_rollup's counters per UTC hour,
-- agent_rollup_day and agent_state_rollup_day agent_rollup's and
-- agent_state_rollup's per UTC day (an interval's time in a day is the sum
-- of its 15-minute pieces in it). Each coarse row is exactly the sum of
-- the fine rows inside it: rollup_calls and rollup_agent_states (0011)
-- now upsert both from the same per-key contributions, in the same
-- statement and sorted order, and delete a coarse row whose counters all
-- fall back to 0, as they do a fine one. The report queries read a range
-- as its whole days or hours from a coarse table and its edges from the
-- fine one (store::reports::sql, "layers").

CREATE TABLE call_rollup_hour (LIKE call_rollup INCLUDING ALL);
CREATE TABLE agent_rollup_day (LIKE agent_rollup INCLUDING ALL);
CREATE TABLE agent_state_rollup_day (LIKE agent_state_rollup INCLUDING ALL);

-- The UTC hour and the UTC day a bucket falls in.
CREATE FUNCTION rollup_hour(bucket timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin('1 hour', bucket, timestamptz '1970-01-01 00:00:00+00')
$$;
CREATE FUNCTION rollup_day(bucket timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin('1 day', bucket, timestamptz '1970-01-01 00:00:00+00')
$$;

-- rollup_calls and rollup_agent_states as in 0011, each upsert followed by
-- its coarse twin (c: the contributions g summed per coarse bucket; upc:
-- the upsert); rebuild_rollups empties the coarse tables too.

CREATE OR REPLACE FUNCTION rollup_calls(gone calls[], came calls[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    emptied tid[];
    emptied_coarse tid[];
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
    ), c AS (
        -- the same sums per hour, for call_rollup_hour
        SELECT tenant_id, rollup_hour(bucket) AS bucket, queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours,
               sum(calls) AS calls, sum(queued) AS queued, sum(answered) AS answered,
               sum(abandoned_ivr) AS abandoned_ivr, sum(abandoned_queue) AS abandoned_queue,
               sum(abandoned_ringing) AS abandoned_ringing, sum(voicemail) AS voicemail,
               sum(callback) AS callback, sum(overflow) AS overflow, sum(failed) AS failed,
               sum(flow_hangup) AS flow_hangup, sum(transferred_out) AS transferred_out,
               sum(not_reached) AS not_reached, sum(answered_within_5) AS answered_within_5,
               sum(answered_within_10) AS answered_within_10,
               sum(answered_within_15) AS answered_within_15,
               sum(answered_within_20) AS answered_within_20,
               sum(answered_within_30) AS answered_within_30,
               sum(answered_within_45) AS answered_within_45,
               sum(answered_within_60) AS answered_within_60,
               sum(answered_within_90) AS answered_within_90,
               sum(answered_within_120) AS answered_within_120,
               sum(answered_within_180) AS answered_within_180,
               sum(answered_within_300) AS answered_within_300,
               sum(abandoned_within_5) AS abandoned_within_5,
               sum(abandoned_within_10) AS abandoned_within_10,
               sum(abandoned_within_15) AS abandoned_within_15,
               sum(abandoned_within_20) AS abandoned_within_20,
               sum(abandoned_within_30) AS abandoned_within_30,
               sum(abandoned_within_45) AS abandoned_within_45,
               sum(abandoned_within_60) AS abandoned_within_60,
               sum(abandoned_within_90) AS abandoned_within_90,
               sum(abandoned_within_120) AS abandoned_within_120,
               sum(abandoned_within_180) AS abandoned_within_180,
               sum(abandoned_within_300) AS abandoned_within_300,
               sum(wait_answered_ms) AS wait_answered_ms,
               sum(wait_abandoned_ms) AS wait_abandoned_ms, sum(ivr_ms) AS ivr_ms,
               sum(ring_ms) AS ring_ms, sum(talk_ms) AS talk_ms, sum(hold_ms) AS hold_ms,
               sum(held_calls) AS held_calls, sum(wrap_up_ms) AS wrap_up_ms,
               sum(wrap_up_calls) AS wrap_up_calls, sum(callback_offered) AS callback_offered,
               sum(callback_completed) AS callback_completed,
               sum(callback_delay_ms) AS callback_delay_ms, sum(csat_1) AS csat_1,
               sum(csat_2) AS csat_2, sum(csat_3) AS csat_3, sum(csat_4) AS csat_4,
               sum(csat_5) AS csat_5, sum(nps_0) AS nps_0, sum(nps_1) AS nps_1, sum(nps_2) AS nps_2,
               sum(nps_3) AS nps_3, sum(nps_4) AS nps_4, sum(nps_5) AS nps_5, sum(nps_6) AS nps_6,
               sum(nps_7) AS nps_7, sum(nps_8) AS nps_8, sum(nps_9) AS nps_9, sum(nps_10) AS nps_10
          FROM g
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ), upc AS (
        INSERT INTO call_rollup_hour AS r (tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours,
            calls, queued, answered, abandoned_ivr, abandoned_queue, abandoned_ringing, voicemail,
            callback, overflow, failed, flow_hangup, transferred_out, not_reached,
            answered_within_5, answered_within_10, answered_within_15, answered_within_20,
            answered_within_30, answered_within_45, answered_within_60, answered_within_90,
            answered_within_120, answered_within_180, answered_within_300, abandoned_within_5,
            abandoned_within_10, abandoned_within_15, abandoned_within_20, abandoned_within_30,
            abandoned_within_45, abandoned_within_60, abandoned_within_90, abandoned_within_120,
            abandoned_within_180, abandoned_within_300, wait_answered_ms, wait_abandoned_ms, ivr_ms,
            ring_ms, talk_ms, hold_ms, held_calls, wrap_up_ms, wrap_up_calls, callback_offered,
            callback_completed, callback_delay_ms, csat_1, csat_2, csat_3, csat_4, csat_5, nps_0,
            nps_1, nps_2, nps_3, nps_4, nps_5, nps_6, nps_7, nps_8, nps_9, nps_10)
        SELECT tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours,
            calls, queued, answered, abandoned_ivr, abandoned_queue, abandoned_ringing, voicemail,
            callback, overflow, failed, flow_hangup, transferred_out, not_reached,
            answered_within_5, answered_within_10, answered_within_15, answered_within_20,
            answered_within_30, answered_within_45, answered_within_60, answered_within_90,
            answered_within_120, answered_within_180, answered_within_300, abandoned_within_5,
            abandoned_within_10, abandoned_within_15, abandoned_within_20, abandoned_within_30,
            abandoned_within_45, abandoned_within_60, abandoned_within_90, abandoned_within_120,
            abandoned_within_180, abandoned_within_300, wait_answered_ms, wait_abandoned_ms, ivr_ms,
            ring_ms, talk_ms, hold_ms, held_calls, wrap_up_ms, wrap_up_calls, callback_offered,
            callback_completed, callback_delay_ms, csat_1, csat_2, csat_3, csat_4, csat_5, nps_0,
            nps_1, nps_2, nps_3, nps_4, nps_5, nps_6, nps_7, nps_8, nps_9, nps_10 FROM c
         WHERE rollup_nonzero(to_jsonb(c) - '{tenant_id,bucket,queue_id,number_id,vip_tier,direction,via_ivr,outside_business_hours}'::text[])
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
    SELECT (SELECT array_agg(ctid) FILTER (WHERE empty) FROM up), (SELECT array_agg(ctid) FILTER (WHERE empty) FROM upc)
      INTO emptied, emptied_coarse;
    DELETE FROM call_rollup WHERE ctid = ANY (emptied);
    DELETE FROM call_rollup_hour WHERE ctid = ANY (emptied_coarse);

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
    ), c AS (
        -- the same sums per day, for agent_rollup_day
        SELECT tenant_id, rollup_day(bucket) AS bucket, agent_id, queue_id, direction,
               sum(offered) AS offered, sum(answered) AS answered, sum(rona) AS rona,
               sum(rejected) AS rejected, sum(ring_ms) AS ring_ms, sum(talk_ms) AS talk_ms,
               sum(hold_ms) AS hold_ms, sum(wrap_up_ms) AS wrap_up_ms,
               sum(wrap_up_calls) AS wrap_up_calls, sum(surveyed) AS surveyed,
               sum(survey_sum) AS survey_sum
          FROM g
         GROUP BY 1, 2, 3, 4, 5
    ), upc AS (
        INSERT INTO agent_rollup_day AS r (tenant_id, bucket, agent_id, queue_id, direction,
            offered, answered, rona, rejected, ring_ms, talk_ms, hold_ms, wrap_up_ms, wrap_up_calls,
            surveyed, survey_sum)
        SELECT tenant_id, bucket, agent_id, queue_id, direction,
            offered, answered, rona, rejected, ring_ms, talk_ms, hold_ms, wrap_up_ms, wrap_up_calls,
            surveyed, survey_sum FROM c
         WHERE rollup_nonzero(to_jsonb(c) - '{tenant_id,bucket,agent_id,queue_id,direction}'::text[])
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
    SELECT (SELECT array_agg(ctid) FILTER (WHERE empty) FROM up), (SELECT array_agg(ctid) FILTER (WHERE empty) FROM upc)
      INTO emptied, emptied_coarse;
    DELETE FROM agent_rollup WHERE ctid = ANY (emptied);
    DELETE FROM agent_rollup_day WHERE ctid = ANY (emptied_coarse);

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

CREATE OR REPLACE FUNCTION rollup_agent_states(gone agent_state_intervals[], came agent_state_intervals[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    emptied tid[];
    emptied_coarse tid[];
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
    ), c AS (
        -- the same sums per day, for agent_state_rollup_day
        SELECT tenant_id, rollup_day(bucket) AS bucket, agent_id, state, reason,
               sum(ms) AS ms
          FROM g
         GROUP BY 1, 2, 3, 4, 5
    ), upc AS (
        INSERT INTO agent_state_rollup_day AS r (tenant_id, bucket, agent_id, state, reason,
            ms)
        SELECT tenant_id, bucket, agent_id, state, reason,
            ms FROM c
         WHERE rollup_nonzero(to_jsonb(c) - '{tenant_id,bucket,agent_id,state,reason}'::text[])
         ORDER BY tenant_id, bucket, agent_id, state, reason
        ON CONFLICT (tenant_id, bucket, agent_id, state, reason) DO UPDATE SET
                ms = r.ms + EXCLUDED.ms
        RETURNING r.ctid, r.ms = 0 AS empty
    )
    SELECT (SELECT array_agg(ctid) FILTER (WHERE empty) FROM up), (SELECT array_agg(ctid) FILTER (WHERE empty) FROM upc)
      INTO emptied, emptied_coarse;
    DELETE FROM agent_state_rollup WHERE ctid = ANY (emptied);
    DELETE FROM agent_state_rollup_day WHERE ctid = ANY (emptied_coarse);
END $$;

CREATE OR REPLACE FUNCTION rebuild_rollups(tenant uuid) RETURNS void
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
    DELETE FROM call_rollup_hour WHERE tenant_id = tenant;
    DELETE FROM agent_rollup_day WHERE tenant_id = tenant;
    DELETE FROM agent_state_rollup_day WHERE tenant_id = tenant;
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

-- Recomputes the tenant's coarse rollups from its fine ones (a repair, and
-- what tests that write fine rows by hand call). Writers wait as for
-- rebuild_rollups.
CREATE FUNCTION rebuild_coarse_rollups(tenant uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE agent_state_intervals, calls IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM call_rollup_hour WHERE tenant_id = tenant;
    INSERT INTO call_rollup_hour (tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours,
        calls, queued, answered, abandoned_ivr, abandoned_queue, abandoned_ringing, voicemail,
        callback, overflow, failed, flow_hangup, transferred_out, not_reached, answered_within_5,
        answered_within_10, answered_within_15, answered_within_20, answered_within_30,
        answered_within_45, answered_within_60, answered_within_90, answered_within_120,
        answered_within_180, answered_within_300, abandoned_within_5, abandoned_within_10,
        abandoned_within_15, abandoned_within_20, abandoned_within_30, abandoned_within_45,
        abandoned_within_60, abandoned_within_90, abandoned_within_120, abandoned_within_180,
        abandoned_within_300, wait_answered_ms, wait_abandoned_ms, ivr_ms, ring_ms, talk_ms,
        hold_ms, held_calls, wrap_up_ms, wrap_up_calls, callback_offered, callback_completed,
        callback_delay_ms, csat_1, csat_2, csat_3, csat_4, csat_5, nps_0, nps_1, nps_2, nps_3,
        nps_4, nps_5, nps_6, nps_7, nps_8, nps_9, nps_10)
    SELECT tenant_id, rollup_hour(bucket), queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours,
        sum(calls), sum(queued), sum(answered), sum(abandoned_ivr), sum(abandoned_queue),
        sum(abandoned_ringing), sum(voicemail), sum(callback), sum(overflow), sum(failed),
        sum(flow_hangup), sum(transferred_out), sum(not_reached), sum(answered_within_5),
        sum(answered_within_10), sum(answered_within_15), sum(answered_within_20),
        sum(answered_within_30), sum(answered_within_45), sum(answered_within_60),
        sum(answered_within_90), sum(answered_within_120), sum(answered_within_180),
        sum(answered_within_300), sum(abandoned_within_5), sum(abandoned_within_10),
        sum(abandoned_within_15), sum(abandoned_within_20), sum(abandoned_within_30),
        sum(abandoned_within_45), sum(abandoned_within_60), sum(abandoned_within_90),
        sum(abandoned_within_120), sum(abandoned_within_180), sum(abandoned_within_300),
        sum(wait_answered_ms), sum(wait_abandoned_ms), sum(ivr_ms), sum(ring_ms), sum(talk_ms),
        sum(hold_ms), sum(held_calls), sum(wrap_up_ms), sum(wrap_up_calls), sum(callback_offered),
        sum(callback_completed), sum(callback_delay_ms), sum(csat_1), sum(csat_2), sum(csat_3),
        sum(csat_4), sum(csat_5), sum(nps_0), sum(nps_1), sum(nps_2), sum(nps_3), sum(nps_4),
        sum(nps_5), sum(nps_6), sum(nps_7), sum(nps_8), sum(nps_9), sum(nps_10)
      FROM call_rollup WHERE tenant_id = tenant
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
    DELETE FROM agent_rollup_day WHERE tenant_id = tenant;
    INSERT INTO agent_rollup_day (tenant_id, bucket, agent_id, queue_id, direction,
        offered, answered, rona, rejected, ring_ms, talk_ms, hold_ms, wrap_up_ms, wrap_up_calls,
        surveyed, survey_sum)
    SELECT tenant_id, rollup_day(bucket), agent_id, queue_id, direction,
        sum(offered), sum(answered), sum(rona), sum(rejected), sum(ring_ms), sum(talk_ms),
        sum(hold_ms), sum(wrap_up_ms), sum(wrap_up_calls), sum(surveyed), sum(survey_sum)
      FROM agent_rollup WHERE tenant_id = tenant
     GROUP BY 1, 2, 3, 4, 5;
    DELETE FROM agent_state_rollup_day WHERE tenant_id = tenant;
    INSERT INTO agent_state_rollup_day (tenant_id, bucket, agent_id, state, reason,
        ms)
    SELECT tenant_id, rollup_day(bucket), agent_id, state, reason,
        sum(ms)
      FROM agent_state_rollup WHERE tenant_id = tenant
     GROUP BY 1, 2, 3, 4, 5;
END $$;

-- The rows written before this migration.
SELECT rebuild_coarse_rollups(tenant_id)
  FROM (SELECT tenant_id FROM call_rollup UNION SELECT tenant_id FROM agent_rollup
        UNION SELECT tenant_id FROM agent_state_rollup) AS t;
