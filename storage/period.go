package storage

import (
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
)

// Valid reports whether b is empty (meaning BucketDay) or a known bucket.
func (b Bucket) Valid() bool {
	return b == "" || b == BucketDay || b == BucketWeek
}

// Start returns the start of the bucket that holds t: 00:00 UTC of t's day
// for BucketDay (and the empty Bucket), 00:00 UTC of the Monday of t's week
// for BucketWeek. Stores use it so that every store draws the same trend.
func (b Bucket) Start(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if b != BucketWeek {
		return day
	}
	// time.Weekday counts from Sunday = 0; shift so that Monday is 0.
	back := (int(day.Weekday()) + 6) % 7
	return day.AddDate(0, 0, -back)
}

// Check returns a KindInvalid error when the query cannot be answered:
// an unknown bucket, a mode that is neither empty nor canonical (see
// score.Mode.Valid), or To before From when both are set.
func (q StatsQuery) Check() error {
	var errs []callaudit.FieldError
	if !q.Bucket.Valid() {
		errs = append(errs, callaudit.FieldError{Field: "bucket", Message: `must be "day" or "week"`})
	}
	return checkScope(errs, q.Mode, q.From, q.To)
}

// ModeOrDefault returns the mode the query covers: Mode, or
// score.ModeManager when it is empty.
func (q StatsQuery) ModeOrDefault() score.Mode { return modeOrDefault(q.Mode) }

// Check returns a KindInvalid error when the leaderboard cannot be
// answered: a mode that is neither empty nor canonical, or To before From
// when both are set.
func (q ManagerQuery) Check() error { return checkScope(nil, q.Mode, q.From, q.To) }

// ModeOrDefault returns the mode the leaderboard covers: Mode, or
// score.ModeManager when it is empty.
func (q ManagerQuery) ModeOrDefault() score.Mode { return modeOrDefault(q.Mode) }

func modeOrDefault(m score.Mode) score.Mode {
	if m == "" {
		return score.ModeManager
	}
	return m
}

// checkScope adds the mode and period errors the queries share to errs.
func checkScope(errs []callaudit.FieldError, mode score.Mode, from, to time.Time) error {
	if mode != "" && !mode.Valid() {
		names := make([]string, len(score.Modes))
		for i, m := range score.Modes {
			names[i] = string(m)
		}
		errs = append(errs, callaudit.FieldError{Field: "mode", Message: "must be one of: " + strings.Join(names, ", ")})
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		errs = append(errs, callaudit.FieldError{Field: "to", Message: "must not be before from"})
	}
	if len(errs) > 0 {
		return callaudit.Invalid(errs...)
	}
	return nil
}

// Midpoint returns the instant that splits a manager's period into the
// older and the newer half for ManagerSummary.Trend: calls created before
// it are the older half, the rest the newer. A zero q.From or q.To is
// replaced by first or last, the earliest and latest CreatedAt of that
// manager's scored calls in the period.
func (q ManagerQuery) Midpoint(first, last time.Time) time.Time {
	from, to := q.From, q.To
	if from.IsZero() {
		from = first
	}
	if to.IsZero() {
		to = last
	}
	return from.Add(to.Sub(from) / 2).UTC()
}
