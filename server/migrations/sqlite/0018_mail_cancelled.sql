-- A message that is revoked or expires takes its mail still waiting in the
-- queue with it (its notifications' links, its passcodes, are dead by then):
-- those rows become `cancelled`, in the same transaction as the revoke.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt
-- with the new state and the same columns, rows and indexes.
CREATE TABLE mail_queue_new (
    id            TEXT    PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('notification', 'passcode')),
    recipient_id  INTEGER REFERENCES recipients(id) ON DELETE SET NULL,
    envelope_from TEXT    NOT NULL,
    envelope_to   TEXT    NOT NULL,
    master_key_id TEXT    NOT NULL,
    content       BLOB,
    state         TEXT    NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'sent', 'deferred', 'bounced', 'gave_up', 'expired',
                                   'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    next_try_at   INTEGER NOT NULL,
    leased_until  INTEGER,
    expires_at    INTEGER,
    finished_at   INTEGER,
    last_error    TEXT
);
INSERT INTO mail_queue_new (rowid, id, kind, recipient_id, envelope_from, envelope_to, master_key_id,
                            content, state, attempts, created_at, next_try_at, leased_until,
                            expires_at, finished_at, last_error)
    SELECT rowid, id, kind, recipient_id, envelope_from, envelope_to, master_key_id,
           content, state, attempts, created_at, next_try_at, leased_until,
           expires_at, finished_at, last_error
    FROM mail_queue;
DROP TABLE mail_queue;
ALTER TABLE mail_queue_new RENAME TO mail_queue;
CREATE INDEX mail_queue_due ON mail_queue (kind <> 'passcode', next_try_at)
    WHERE state IN ('queued', 'deferred');
CREATE INDEX mail_queue_expiry ON mail_queue (expires_at) WHERE state IN ('queued', 'deferred');
CREATE INDEX mail_queue_recipient ON mail_queue (recipient_id, kind);
