-- Issue 15: every mail Sealmail sends goes through this queue. A row is
-- written in the same transaction as what causes the mail (the message and
-- its recipients, the passcode), then a delivery worker sends it.
--
-- `content` is the whole RFC 5322 message, built once when queued (so a
-- retry keeps its Message-ID), sealed under the master key `master_key_id`
-- with the row id as associated data: it holds a link token or a passcode,
-- so it is never stored in the clear, and it is wiped once the mail is done.
--
-- States: queued → sent | deferred | bounced | gave_up | expired, and
-- deferred → the same. A worker claims a due row by setting `leased_until`
-- (one conditional UPDATE); a worker that dies leaves the lease to run out,
-- and the row is due again (at least once).
CREATE TABLE mail_queue (
    id            TEXT    PRIMARY KEY,           -- random; associated data of `content`
    kind          TEXT    NOT NULL CHECK (kind IN ('notification', 'passcode')),
    recipient_id  INTEGER REFERENCES recipients(id) ON DELETE SET NULL,
    envelope_from TEXT    NOT NULL,
    envelope_to   TEXT    NOT NULL,
    master_key_id TEXT    NOT NULL,
    content       BLOB,                          -- NULL once the mail is done
    state         TEXT    NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'sent', 'deferred', 'bounced', 'gave_up', 'expired')),
    attempts      INTEGER NOT NULL DEFAULT 0,    -- also the claim's token
    created_at    INTEGER NOT NULL,
    next_try_at   INTEGER NOT NULL,
    leased_until  INTEGER,
    expires_at    INTEGER,                       -- a passcode mail is useless after this
    finished_at   INTEGER,                       -- sent, bounced, gave up or expired at
    last_error    TEXT
);
-- The claim walks this index in its own order (passcodes first, then the
-- longest waiting) and stops at its LIMIT: no sort of the whole queue.
CREATE INDEX mail_queue_due ON mail_queue (kind <> 'passcode', next_try_at)
    WHERE state IN ('queued', 'deferred');
CREATE INDEX mail_queue_expiry ON mail_queue (expires_at) WHERE state IN ('queued', 'deferred');
CREATE INDEX mail_queue_recipient ON mail_queue (recipient_id, kind);
