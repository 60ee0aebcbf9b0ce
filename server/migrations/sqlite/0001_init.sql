-- Sealmail's schema. Times are Unix seconds (UTC). Secrets are never stored in
-- the clear: link tokens and session ids as SHA-256, passcodes as HMAC-SHA256,
-- data keys only wrapped by the master key.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Metadata (who, when, subject, state) stays readable after a revoke so that
-- `sealmail status` and the Sent list can report on it; the content does not.
CREATE TABLE messages (
    id             TEXT    PRIMARY KEY,           -- random, used as associated data
    message_id     TEXT    NOT NULL UNIQUE,       -- RFC 5322 Message-ID
    sender_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    sender_address TEXT    NOT NULL,
    sender_name    TEXT,
    subject        TEXT    NOT NULL,
    protection     TEXT    NOT NULL CHECK (protection IN ('encrypt_only', 'do_not_forward')),
    state          TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked', 'expired')),
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER,
    ended_at       INTEGER,                       -- when it was revoked or expired
    in_reply_to    TEXT    REFERENCES messages(id) ON DELETE SET NULL
);
CREATE INDEX messages_expiry ON messages (expires_at) WHERE state = 'active';

-- The message's data key, wrapped by the master key `master_key_id`.
-- Deleted with the ciphertext when the message is revoked or expires.
CREATE TABLE message_keys (
    message_id    TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    master_key_id TEXT NOT NULL,
    wrapped_key   BLOB NOT NULL
);

-- The sealed body (object 0 of the message).
CREATE TABLE message_bodies (
    message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    ciphertext BLOB NOT NULL
);

-- Attachments: the sealed chunks live in DATA_DIR/attachments/<message>/<id>.
CREATE TABLE attachments (
    id           TEXT    NOT NULL,
    message_id   TEXT    NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,               -- object index = position + 1
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    PRIMARY KEY (message_id, id),
    UNIQUE (message_id, position)
);

-- One row per recipient: their own link, their own state.
CREATE TABLE recipients (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT    NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('to', 'cc')),
    position     INTEGER NOT NULL,
    address      TEXT    NOT NULL,
    name         TEXT,
    token_hash   BLOB    NOT NULL UNIQUE,
    revoked_at   INTEGER,
    opened_at    INTEGER,
    locked_until INTEGER
);
CREATE INDEX recipients_message ON recipients (message_id);

CREATE TABLE passcodes (
    id              INTEGER PRIMARY KEY,
    recipient_id    INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
    code_mac        BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER,
    failed_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX passcodes_recipient ON passcodes (recipient_id, created_at);

CREATE TABLE recipient_sessions (
    id_hash      BLOB    PRIMARY KEY,
    recipient_id INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX recipient_sessions_recipient ON recipient_sessions (recipient_id);
