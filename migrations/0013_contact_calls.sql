-- A contact's latest calls, for the agent's screen pop
-- (GET /api/v1/contacts/{id}/calls): newest first within the tenant.
CREATE INDEX calls_tenant_contact_arrived ON calls (tenant_id, contact_id, arrived_at DESC)
    WHERE contact_id IS NOT NULL;
