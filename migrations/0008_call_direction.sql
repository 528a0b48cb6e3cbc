-- Calls an agent places (click-to-call) beside the calls that reach the
-- tenant; the CDR projection writes it (model::cdr).
ALTER TABLE calls
    ADD COLUMN direction text NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound'));
