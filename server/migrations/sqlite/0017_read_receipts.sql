-- Read receipts (off by default): per message, and each sender's default for
-- the messages they write.
ALTER TABLE messages ADD COLUMN read_receipt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN read_receipts INTEGER NOT NULL DEFAULT 0;
