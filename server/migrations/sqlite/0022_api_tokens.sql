-- Issue 20: API tokens for scripts (`Authorization: Bearer smt_…`). Stored as
-- the SHA-256 of the secret (256 random bits, so a plain hash cannot be
-- brute-forced back), like sessions; `hint` is the secret's first eight
-- characters (the `smt_` prefix and four more), to tell tokens apart.
-- Revoked tokens stay, so the list and the audit can still name them.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    hint         TEXT    NOT NULL,
    -- Comma-separated scope names (`send,status`); one unknown to this
    -- version is ignored, never widened.
    scopes       TEXT    NOT NULL,
    hash         BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);
