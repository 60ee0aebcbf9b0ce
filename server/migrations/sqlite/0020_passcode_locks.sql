-- Wrong passcodes lock the client that typed them out of the link, no longer
-- the link for everyone: anyone holding a link could otherwise keep its
-- recipient locked out forever, 15 minutes at a time (issue 18 finding 6).
-- `client` is the client's rate-limit key (an IPv4 address, an IPv6 /64).
CREATE TABLE link_locks (
    recipient_id INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
    client       TEXT    NOT NULL,
    until        INTEGER NOT NULL,
    PRIMARY KEY (recipient_id, client)
) WITHOUT ROWID;

-- Wrong passcodes in a row, over all of the link's passcodes and clients:
-- a lifetime cap, after which only a new link from the sender helps. A
-- session opened with a right passcode, or a new link, starts it again.
ALTER TABLE recipients ADD COLUMN failed_passcodes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recipients DROP COLUMN locked_until;
