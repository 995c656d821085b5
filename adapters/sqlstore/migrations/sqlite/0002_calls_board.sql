-- The leaderboard of one mode: done calls of that mode, by manager, read
-- from the index alone. Statistics never mix modes (each has its own
-- rubric), so every leaderboard query names status and mode; without this
-- index it walked calls_status over every mode and read each row.
CREATE INDEX calls_board ON calls (status, mode, manager_id, created_at, total_score);
