-- Issue 17: SMTP ingress and mail-flow rules.
--
-- 1. Mail relayed onward unchanged (to recipients inside the organisation,
--    or unprotected by a rule) goes through the same queue as Sealmail's own
--    mail, as kind `relay`: its sealed content is the original message. The
--    kind's CHECK cannot change in place, so the table is rebuilt with the
--    same columns, rows and indexes (as 0018 did).
CREATE TABLE mail_queue_new (
    id            TEXT    PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('notification', 'passcode', 'relay')),
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
    last_error    TEXT,
    logo_sha256   BLOB,
    logo_offset   INTEGER
);
INSERT INTO mail_queue_new (rowid, id, kind, recipient_id, envelope_from, envelope_to, master_key_id,
                            content, state, attempts, created_at, next_try_at, leased_until,
                            expires_at, finished_at, last_error, logo_sha256, logo_offset)
    SELECT rowid, id, kind, recipient_id, envelope_from, envelope_to, master_key_id,
           content, state, attempts, created_at, next_try_at, leased_until,
           expires_at, finished_at, last_error, logo_sha256, logo_offset
    FROM mail_queue;
DROP TABLE mail_queue;
ALTER TABLE mail_queue_new RENAME TO mail_queue;
CREATE INDEX mail_queue_due ON mail_queue (kind <> 'passcode', next_try_at)
    WHERE state IN ('queued', 'deferred');
CREATE INDEX mail_queue_expiry ON mail_queue (expires_at) WHERE state IN ('queued', 'deferred');
CREATE INDEX mail_queue_recipient ON mail_queue (recipient_id, kind);

-- 2. A recipient only the envelope named (Bcc): they get their link, and
--    the other recipients do not see them.
ALTER TABLE recipients ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1));

-- 3. The mail-flow rules, applied in `position` order to each recipient of a
--    mail that came in over SMTP; the first whose conditions all hold
--    decides (protect, relay, reject). `conditions` and `action` are JSON
--    (server/src/mailflow/rule.rs). No rule matching: relayed unprotected.
CREATE TABLE mail_flow_rules (
    id         INTEGER PRIMARY KEY,
    position   INTEGER NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    conditions TEXT    NOT NULL CHECK (json_valid(conditions)),
    action     TEXT    NOT NULL CHECK (json_valid(action)),
    created_at INTEGER NOT NULL
);
-- The default set: protect mail to outside recipients whose subject holds
-- [secure] or [encrypt] (the tag taken out of the subject); relay the rest.
INSERT INTO mail_flow_rules (position, name, conditions, action, created_at) VALUES
    (1, 'Protect mail to outside recipients tagged [secure] or [encrypt]',
     '[{"kind":"recipient_outside_org"},{"kind":"subject_contains","words":["[secure]","[encrypt]"],"strip":true}]',
     '{"kind":"protect","protection":"encrypt_only"}',
     CAST(strftime('%s', 'now') AS INTEGER)),
    (2, 'Relay everything else unprotected', '[]', '{"kind":"relay"}',
     CAST(strftime('%s', 'now') AS INTEGER));

-- 4. App passwords: a mail client authenticates over SMTP with one of these
--    instead of the account's own password (which stays for the web). Each
--    is 100 random bits, so it is stored as its SHA-256, like link tokens.
CREATE TABLE app_passwords (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    hash         BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    UNIQUE (user_id, name)
);
