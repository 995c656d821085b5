-- Earlier reports (storage.ReportVersions): when a stored call is scored
-- again (a rescore, a role swap) the report it had is kept here, never
-- rewritten; the current report stays in calls.report. replaced_at,
-- reason and by_whom describe the change that replaced the row's report.
CREATE TABLE call_reports (
	call_id     TEXT NOT NULL,
	version     INTEGER NOT NULL,
	report      TEXT NOT NULL CHECK (json_valid(report)),
	replaced_at TEXT NOT NULL,
	reason      TEXT NOT NULL,
	by_whom     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (call_id, version)
);

-- Saved scorecards (storage.Scorecards): every save is a new version,
-- old versions are kept so that a report's scorecard id and version
-- always name the rules it was scored with. body is the file as saved.
CREATE TABLE scorecards (
	id       TEXT NOT NULL,
	version  INTEGER NOT NULL,
	team     TEXT NOT NULL DEFAULT '',
	body     TEXT NOT NULL,
	saved_by TEXT NOT NULL DEFAULT '',
	saved_at TEXT NOT NULL,
	PRIMARY KEY (id, version)
);
