-- Calls: scalar columns for the history filters and statistics, the full
-- report as JSON text. Times are UTC text of fixed width
-- (2006-01-02T15:04:05.000000Z), so they sort as strings and SQLite's date
-- functions read them. A rowid table, not WITHOUT ROWID: rows carry whole
-- reports with transcripts, far over the size where WITHOUT ROWID pays.
CREATE TABLE calls (
	id            TEXT PRIMARY KEY,
	manager_id    TEXT NOT NULL DEFAULT '',
	mode          TEXT NOT NULL DEFAULT '',
	language      TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL,
	status_reason TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL DEFAULT '',
	recording_url TEXT NOT NULL DEFAULT '',
	total_score   INTEGER,
	scorer        TEXT NOT NULL DEFAULT '',
	model         TEXT NOT NULL DEFAULT '',
	report        TEXT CHECK (report IS NULL OR json_valid(report)),
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);

-- The newest-first listing of all calls (keyset on created_at, id).
CREATE INDEX calls_created ON calls (created_at, id);
-- One manager's history and statistics: the listing walks it backwards and
-- the score, status and mode filters are read from the index alone.
CREATE INDEX calls_manager ON calls (manager_id, created_at, id, total_score, status, mode);
-- Queued and failed calls for the webhook worker and operators.
CREATE INDEX calls_status ON calls (status, created_at, id);

-- Per-criterion scores of the calls that count in statistics (done, with a
-- report), kept beside the JSON so that per-criterion averages are one index
-- range scan. manager_id, mode and created_at are copies of the call's,
-- maintained by Save.
CREATE TABLE call_criteria (
	call_id    TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
	criterion  TEXT NOT NULL,
	score      INTEGER NOT NULL,
	manager_id TEXT NOT NULL,
	mode       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (call_id, criterion)
) WITHOUT ROWID;

CREATE INDEX call_criteria_manager ON call_criteria (manager_id, created_at, mode, criterion, score);
