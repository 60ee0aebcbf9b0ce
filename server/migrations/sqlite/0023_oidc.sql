-- Issue 20: staff sign-in with OpenID Connect. One row per sign-in begun and
-- not yet finished, in the database rather than in a server's memory, so the
-- provider may send the browser back to any replica. Keyed by the SHA-256 of
-- the `state` sent to the provider (hex); taken out by the callback with one
-- `DELETE … RETURNING`, so a state works once, and only before `expires_at`.
-- The nonce and the PKCE verifier live only as long as the row (minutes).
CREATE TABLE oidc_flows (
    state_hash    TEXT    PRIMARY KEY,
    nonce         TEXT    NOT NULL,
    pkce_verifier TEXT    NOT NULL,
    -- The portal page to open once signed in (already checked to be ours).
    next_page     TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX oidc_flows_expiry ON oidc_flows (expires_at);
