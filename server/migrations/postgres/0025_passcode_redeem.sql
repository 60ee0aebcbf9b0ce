-- Issue 21: SQLite's 0025 lets a correct passcode open its session in one
-- statement (a trigger spends the passcode). On PostgreSQL the session is
-- stored in one transaction with conditional statements, as before (rows
-- are locked one by one there, so the tries limit is re-checked by the
-- UPDATE itself); the column is kept for one schema on both, and is
-- always NULL here.
ALTER TABLE recipient_sessions ADD COLUMN passcode_id BIGINT;
