-- Issue 21: a correct passcode opens its session in one statement. The
-- server inserts the session with the passcode it spends (`passcode_id`),
-- selected only while that passcode is unused, unexpired and under its
-- tries; this trigger, inside the same statement, spends the passcode,
-- starts the link's count of wrong passcodes again and records the first
-- open. One statement is one trip to SQLite's thread and one implicit
-- transaction, where the same in BEGIN … COMMIT took six trips, each
-- holding the write lock. Either all of it happens or none.
ALTER TABLE recipient_sessions ADD COLUMN passcode_id INTEGER;

CREATE TRIGGER recipient_sessions_spend_passcode AFTER INSERT ON recipient_sessions
WHEN NEW.passcode_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the passcode is not usable')
    WHERE NOT EXISTS (SELECT 1 FROM passcodes
                      WHERE id = NEW.passcode_id AND recipient_id = NEW.recipient_id
                        AND used_at IS NULL);
    UPDATE passcodes SET used_at = NEW.created_at WHERE id = NEW.passcode_id;
    UPDATE recipients
    SET failed_passcodes = 0, opened_at = COALESCE(opened_at, NEW.created_at)
    WHERE id = NEW.recipient_id;
END;
