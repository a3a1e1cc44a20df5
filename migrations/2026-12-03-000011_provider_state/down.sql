ALTER TABLE users DROP COLUMN email_verified, DROP COLUMN provider_blocked, DROP COLUMN role_set_locally_at;
