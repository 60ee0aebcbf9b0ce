-- Issue 5: sender sessions, sign-in rate limiting, the access audit, branding
-- templates. Session ids are stored as SHA-256, like recipient sessions.

CREATE TABLE user_sessions (
    id_hash    BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

-- Sign-in attempts per key (`email:ADDR`, `ip:ADDR`); a successful sign-in
-- deletes its own rows, so what remains counts failures in the window.
CREATE TABLE sign_in_attempts (
    id  INTEGER PRIMARY KEY,
    key TEXT    NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_key ON sign_in_attempts (key, at);

-- The access audit. Holds no secret: no passcode, token, password or content.
-- `message_id` is the RFC 5322 Message-ID, text, so events outlive nothing.
CREATE TABLE audit_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    outcome        TEXT    NOT NULL CHECK (outcome IN ('success', 'failure')),
    message_id     TEXT,
    recipient      TEXT,
    actor          TEXT,
    client_address TEXT,
    detail         TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_message ON audit_events (message_id);

CREATE TABLE branding_templates (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    is_default            INTEGER NOT NULL DEFAULT 0,
    background_color      TEXT    NOT NULL,
    introduction_text     TEXT,
    read_button_text      TEXT,
    email_text            TEXT,
    disclaimer_text       TEXT,
    portal_text           TEXT,
    privacy_statement_url TEXT,
    passcode_enabled      INTEGER NOT NULL DEFAULT 1,
    expiry_days           INTEGER,
    logo_type             TEXT,
    logo                  BLOB,
    updated_at            INTEGER NOT NULL
);
-- At most one default, enforced by the database.
CREATE UNIQUE INDEX branding_templates_one_default ON branding_templates (is_default) WHERE is_default = 1;

-- The template a message was sent with (none: the default at the time of reading).
CREATE TABLE message_branding (
    message_id  TEXT    PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    template_id INTEGER REFERENCES branding_templates(id) ON DELETE SET NULL
);

CREATE INDEX messages_sender_sent ON messages (sender_user_id, created_at DESC, id DESC);
CREATE INDEX messages_sent ON messages (created_at DESC, id DESC);
CREATE INDEX messages_reply ON messages (in_reply_to) WHERE in_reply_to IS NOT NULL;
