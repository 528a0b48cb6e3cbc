-- The roster: each agent's weekly shifts in the tenant's local time
-- (GET/PUT /api/v1/agents/{id}/shifts). A shift whose end is before its
-- start runs overnight into the next day. The staffing forecast counts the
-- queue's agents on shift per half-hour.
CREATE TABLE agent_shifts (
    tenant_id uuid     NOT NULL,
    agent_id  uuid     NOT NULL,
    weekday   smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 = Monday
    starts    time     NOT NULL,
    ends      time     NOT NULL CHECK (ends <> starts),
    PRIMARY KEY (tenant_id, agent_id, weekday, starts),
    CONSTRAINT agent_shifts_agent_fk FOREIGN KEY (tenant_id, agent_id)
        REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);
