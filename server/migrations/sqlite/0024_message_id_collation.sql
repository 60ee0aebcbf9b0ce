-- Issue 19: PostgreSQL's 0024 gives the columns that point at a message the
-- byte order of `messages.id`. SQLite already compares every one of them as
-- BINARY: nothing changes here; the file keeps the two schemas' versions in step.
SELECT 1;
