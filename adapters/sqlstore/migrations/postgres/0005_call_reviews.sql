-- Human reviews (storage.Reviews): a lead's scores beside the model's,
-- managers' disputes and their resolutions, one row per call, the whole
-- review as JSON. The scalar columns are copies of the review's, written
-- with it, for the history's review filter (reviewed, disputed,
-- resolved) and for the agreement figures (by scorecard and version).
-- revision is the optimistic lock of SaveReview.
CREATE TABLE call_reviews (
	call_id           text PRIMARY KEY,
	manager_id        text NOT NULL DEFAULT '',
	mode              text NOT NULL DEFAULT '',
	scorecard         text NOT NULL DEFAULT '',
	scorecard_version integer NOT NULL DEFAULT 0,
	reviewed          integer NOT NULL DEFAULT 0,
	disputes          integer NOT NULL DEFAULT 0,
	open_disputes     integer NOT NULL DEFAULT 0,
	revision          integer NOT NULL,
	review            json NOT NULL,
	updated_at        timestamptz NOT NULL
);
CREATE INDEX call_reviews_scorecard ON call_reviews (scorecard, scorecard_version);
