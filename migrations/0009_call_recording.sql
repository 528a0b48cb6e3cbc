-- The call's recording (a queue with record_calls: caller left, what the
-- caller hears right) and the caller's voicemail message, as files under
-- the recordings folder; the CDR projection fills them from
-- recording_started and voicemail_recorded (model::cdr).
ALTER TABLE calls
    ADD COLUMN recording_path text,
    ADD COLUMN voicemail_path text;
