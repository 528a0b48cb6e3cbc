-- The ACD's routing rules of a queue (skill-expansion steps, VIP relaxation,
-- sticky agent, blending, join/leave-empty, announcements): one document,
-- read and written whole with the queue. '{}' means every rule's default.
ALTER TABLE queues ADD COLUMN routing jsonb NOT NULL DEFAULT '{}'::jsonb;
