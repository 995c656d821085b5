-- Human reviews (storage.Reviews): a lead's scores beside the model's,
-- managers' disputes and their resolutions, one row per call, the whole
-- review as JSON. The scalar columns are copies of the review's, written
-- with it, for the history's review filter (reviewed, disputed,
-- resolved) and for the agreement figures (by scorecard and version).
-- revision is the optimistic lock of SaveReview.
CREATE TABLE call_reviews (
	call_id           TEXT PRIMARY KEY,
	manager_id        TEXT NOT NULL DEFAULT '',
	mode              TEXT NOT NULL DEFAULT '',
	scorecard         TEXT NOT NULL DEFAULT '',
	scorecard_version INTEGER NOT NULL DEFAULT 0,
	reviewed          INTEGER NOT NULL DEFAULT 0,
	disputes          INTEGER NOT NULL DEFAULT 0,
	open_disputes     INTEGER NOT NULL DEFAULT 0,
	revision          INTEGER NOT NULL,
	review            TEXT NOT NULL CHECK (json_valid(review)),
	updated_at        TEXT NOT NULL
);
CREATE INDEX call_reviews_scorecard ON call_reviews (scorecard, scorecard_version);
