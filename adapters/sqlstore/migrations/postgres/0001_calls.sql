-- Calls: scalar columns for the history filters and statistics, the full
-- report as json (not jsonb: json keeps the text exactly as written, so a
-- report reads back byte for byte, raw_model_output included; the queries
-- never look inside it).
CREATE TABLE calls (
	id            text PRIMARY KEY,
	manager_id    text NOT NULL DEFAULT '',
	mode          text NOT NULL DEFAULT '',
	language      text NOT NULL DEFAULT '',
	status        text NOT NULL,
	status_reason text NOT NULL DEFAULT '',
	source        text NOT NULL DEFAULT '',
	recording_url text NOT NULL DEFAULT '',
	total_score   integer,
	scorer        text NOT NULL DEFAULT '',
	model         text NOT NULL DEFAULT '',
	report        json,
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL
);

-- The newest-first listing of all calls (keyset on created_at, id).
CREATE INDEX calls_created ON calls (created_at, id);
-- One manager's history and statistics: the listing walks it backwards and
-- the score, status and mode filters are read from the index alone.
CREATE INDEX calls_manager ON calls (manager_id, created_at, id) INCLUDE (total_score, status, mode);
-- Queued and failed calls for the webhook worker and operators.
CREATE INDEX calls_status ON calls (status, created_at, id);

-- Per-criterion scores of the calls that count in statistics (done, with a
-- report), kept beside the JSON so that per-criterion averages are one index
-- range scan. manager_id, mode and created_at are copies of the call's,
-- maintained by Save.
CREATE TABLE call_criteria (
	call_id    text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
	criterion  text NOT NULL,
	score      integer NOT NULL,
	manager_id text NOT NULL,
	mode       text NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (call_id, criterion)
);

CREATE INDEX call_criteria_manager ON call_criteria (manager_id, created_at) INCLUDE (mode, criterion, score);
