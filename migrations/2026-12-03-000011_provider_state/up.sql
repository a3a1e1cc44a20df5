-- What the identity provider says beyond the profile, and who owns the role.
-- email_verified: invitations and staff additions match verified emails only.
-- provider_blocked: Clerk's banned or locked; such a user cannot sign in, kept
--   apart from is_active (a platform admin's decision) so neither undoes the other.
-- role_set_locally_at: a platform admin set the role through the API; from then
--   on the provider's role metadata no longer changes it.
ALTER TABLE users
    ADD COLUMN email_verified boolean NOT NULL DEFAULT false,
    ADD COLUMN provider_blocked boolean NOT NULL DEFAULT false,
    ADD COLUMN role_set_locally_at timestamptz;
