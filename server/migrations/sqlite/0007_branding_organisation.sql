-- Issue 7: a branding template may name the organisation (portal header,
-- notification footer); NULL keeps the server's own `--organisation`.
ALTER TABLE branding_templates ADD COLUMN organisation TEXT;
