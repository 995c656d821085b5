-- Accounts (storage.Accounts): users, teams, sessions, API tokens and the
-- access log of personal data. Secrets are never stored: passwords as
-- argon2id hashes, session ids and tokens as SHA-256 hashes. Lists of
-- names (a lead's teams, a team's managers, a token's scopes) are JSON
-- arrays: they are read whole and never filtered on.
CREATE TABLE auth_users (
	id            TEXT PRIMARY KEY,
	login         TEXT NOT NULL,
	login_key     TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL,
	manager_id    TEXT NOT NULL DEFAULT '',
	teams         JSONB NOT NULL DEFAULT '[]',
	password_hash TEXT NOT NULL DEFAULT '',
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE auth_teams (
	name        TEXT PRIMARY KEY,
	manager_ids JSONB NOT NULL DEFAULT '[]'
);

CREATE TABLE auth_sessions (
	id_hash      TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);

CREATE TABLE auth_tokens (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL DEFAULT '',
	hash         TEXT NOT NULL UNIQUE,
	scopes       JSONB NOT NULL DEFAULT '[]',
	created_by   TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ,
	revoked_at TIMESTAMPTZ
);

CREATE TABLE access_log (
	seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at TIMESTAMPTZ NOT NULL,
	action      TEXT NOT NULL,
	call_id     TEXT NOT NULL DEFAULT '',
	manager_id  TEXT NOT NULL DEFAULT '',
	actor_id    TEXT NOT NULL DEFAULT '',
	actor       TEXT NOT NULL DEFAULT '',
	client_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_log_at ON access_log (at, seq);
CREATE INDEX access_log_call ON access_log (call_id, at, seq);
CREATE INDEX access_log_actor ON access_log (actor_id, at, seq);
