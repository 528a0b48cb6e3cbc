-- Agent state intervals, projected from the agent events by the event writer
-- in the transaction that stores them (crates/store/src/agent_intervals.rs).
--
-- Each event puts a boundary into the agent's timeline at its time: the
-- interval containing that instant ends there and the new state starts
-- there, running to where the old interval ran (open if it was open), or,
-- in a gap, to the next interval's start. Applied in time order this is
-- "close the open interval, open the next"; applied late (an agent's events
-- travel in more than one writer shard), it still gives the same timeline.
-- A NULL state (logged out) ends the interval and starts none.

CREATE FUNCTION agent_state_boundary(tenant uuid, agent uuid, at_ timestamptz, state_ text, reason_ text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    cur_id bigint;
    cur_end timestamptz;
    new_end timestamptz;
BEGIN
    SELECT id, ended_at INTO cur_id, cur_end FROM agent_state_intervals
     WHERE tenant_id = tenant AND agent_id = agent AND started_at <= at_ AND (ended_at IS NULL OR ended_at > at_)
     ORDER BY started_at DESC LIMIT 1 FOR UPDATE;
    IF FOUND THEN
        UPDATE agent_state_intervals SET ended_at = at_ WHERE id = cur_id;
        new_end := cur_end;
    ELSE
        SELECT min(started_at) INTO new_end FROM agent_state_intervals
         WHERE tenant_id = tenant AND agent_id = agent AND started_at > at_;
    END IF;
    IF state_ IS NOT NULL THEN
        INSERT INTO agent_state_intervals (tenant_id, agent_id, state, reason, started_at, ended_at)
        VALUES (tenant, agent, state_, reason_, at_, new_end);
    END IF;
END $$;

-- Applies a batch of agent events in array order. The agents are locked
-- first (transaction advisory locks, in a fixed order so two batches cannot
-- deadlock) so that concurrent batches touching one agent take turns.
CREATE FUNCTION apply_agent_states(tenants uuid[], agents uuid[], ats timestamptz[], states text[], reasons text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(k)
       FROM (SELECT DISTINCT hashtextextended(t::text || a::text, 7) AS k
               FROM unnest(tenants, agents) AS u(t, a) ORDER BY 1) AS keys;
    FOR i IN 1 .. coalesce(array_length(agents, 1), 0) LOOP
        PERFORM agent_state_boundary(tenants[i], agents[i], ats[i], states[i], reasons[i]);
    END LOOP;
END $$;
