-- The digest password of an agent's SIP account (softphone or desk phone).
-- Stored in clear, like trunk digest passwords, because the SIP edge must
-- compute HA1 = H(extension:realm:password) for the tenant's realm (its SIP
-- domain, which follows the platform's configured sip.domain) and for each
-- algorithm it offers (SHA-256, MD5); a stored hash would pin both. The API
-- accepts it on write and never returns it. NULL: the agent has no SIP
-- account and cannot register.
ALTER TABLE agents ADD COLUMN sip_password text
    CONSTRAINT agents_sip_password_length CHECK (sip_password IS NULL OR length(sip_password) BETWEEN 8 AND 128);
