-- A branding template's logo (up to 512 KB) was sealed into the content of
-- every mail queued with it: a message to 10,000 recipients stored it
-- 10,000 times. Now a mail with a logo is queued without it: its content
-- keeps a gap at `logo_offset`, and the logo's part body, exactly as the
-- signed mail carries it, is kept once here under its SHA-256 and put back
-- when the mail is sent (the DKIM signature, made over the whole mail, holds).
-- A logo is public (the portal serves it), so it is not sealed; its hash is
-- in the sealed content's associated data, so it cannot be swapped.
--
-- Mails queued before this have no `logo_sha256`: their content is the
-- whole mail, sent as it is.
CREATE TABLE mail_logos (
    sha256 BLOB PRIMARY KEY,   -- of `block`
    block  BLOB NOT NULL       -- the logo's base64 part body, its line breaks included
);
ALTER TABLE mail_queue ADD COLUMN logo_sha256 BLOB;
ALTER TABLE mail_queue ADD COLUMN logo_offset INTEGER;
