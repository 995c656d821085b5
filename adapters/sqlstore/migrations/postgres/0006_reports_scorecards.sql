-- Earlier reports (storage.ReportVersions): when a stored call is scored
-- again (a rescore, a role swap) the report it had is kept here, never
-- rewritten; the current report stays in calls.report. replaced_at,
-- reason and by_whom describe the change that replaced the row's report.
CREATE TABLE call_reports (
	call_id     text NOT NULL,
	version     integer NOT NULL,
	report      json NOT NULL,
	replaced_at timestamptz NOT NULL,
	reason      text NOT NULL,
	by_whom     text NOT NULL DEFAULT '',
	PRIMARY KEY (call_id, version)
);

-- Saved scorecards (storage.Scorecards): every save is a new version,
-- old versions are kept so that a report's scorecard id and version
-- always name the rules it was scored with. body is the file as saved.
CREATE TABLE scorecards (
	id       text NOT NULL,
	version  integer NOT NULL,
	team     text NOT NULL DEFAULT '',
	body     text NOT NULL,
	saved_by text NOT NULL DEFAULT '',
	saved_at timestamptz NOT NULL,
	PRIMARY KEY (id, version)
);
