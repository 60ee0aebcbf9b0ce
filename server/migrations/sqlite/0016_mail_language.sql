-- Issue 15: the language of a message's notification and passcode mail
-- (its sender's choice, else its branding template's, else the server's
-- default). Messages sent before this were mailed in English.
ALTER TABLE messages ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
    CHECK (language IN ('en', 'nl', 'da', 'ja'));
-- A branding template may set the language of the mail sent with it.
ALTER TABLE branding_templates ADD COLUMN language TEXT
    CHECK (language IN ('en', 'nl', 'da', 'ja'));
