-- The event writer's insertion order and the event schema version.
--
-- `ingest_id` numbers rows in the order the writer inserted them (a sequence,
-- not an identity column: identity columns on partitioned tables need
-- PostgreSQL 17). Within one call it follows `seq`, which the no-loss test
-- checks; across concurrent writer connections it is only roughly ordered.
-- `v` is the version of the serialised payload form (EVENT_SCHEMA_VERSION).

CREATE SEQUENCE events_ingest_id_seq AS bigint;

ALTER TABLE events
    ADD COLUMN ingest_id bigint NOT NULL DEFAULT nextval('events_ingest_id_seq'),
    ADD COLUMN v smallint NOT NULL DEFAULT 1;

ALTER SEQUENCE events_ingest_id_seq OWNED BY events.ingest_id;
