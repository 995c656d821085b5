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
	teams         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(teams)),
	password_hash TEXT NOT NULL DEFAULT '',
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);

CREATE TABLE auth_teams (
	name        TEXT PRIMARY KEY,
	manager_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(manager_ids))
);

CREATE TABLE auth_sessions (
	id_hash      TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	expires_at   TEXT NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);

CREATE TABLE auth_tokens (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL DEFAULT '',
	hash         TEXT NOT NULL UNIQUE,
	scopes       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(scopes)),
	created_by   TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	last_used_at TEXT,
	revoked_at   TEXT
);

CREATE TABLE access_log (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	at          TEXT NOT NULL,
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
