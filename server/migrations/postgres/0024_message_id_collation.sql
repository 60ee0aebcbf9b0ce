-- Issue 19: the columns that point at a message compare as its id does.
-- `messages.id` is byte-ordered (COLLATE "C", as SQLite compares text); the
-- columns referencing it were in the default collation. PostgreSQL compares
-- two columns in the non-default collation of the two, and an index answers
-- only comparisons in its own: the message view's joins could not use the
-- indexes on `recipients`, `message_keys` and `message_bodies` and read each
-- table whole for every view (the bench's `api, PostgreSQL` rows; a Seq Scan
-- per view, a million rows at scale). Rewrites these tables and their indexes.
ALTER TABLE message_keys     ALTER COLUMN message_id  TYPE TEXT COLLATE "C";
ALTER TABLE message_bodies   ALTER COLUMN message_id  TYPE TEXT COLLATE "C";
ALTER TABLE attachments      ALTER COLUMN message_id  TYPE TEXT COLLATE "C";
ALTER TABLE recipients       ALTER COLUMN message_id  TYPE TEXT COLLATE "C";
ALTER TABLE message_branding ALTER COLUMN message_id  TYPE TEXT COLLATE "C";
ALTER TABLE messages         ALTER COLUMN in_reply_to TYPE TEXT COLLATE "C";
