-- No query reads events by (tenant, kind, at): the reports read the calls
-- CDR and the agent state intervals, and a kind filter over a time range is
-- served by events_tenant_at. The index only cost every event insert.
DROP INDEX IF EXISTS events_tenant_kind;
