package storage_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

func TestBucketStart(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	tests := []struct {
		name   string
		bucket storage.Bucket
		in     time.Time
		want   time.Time
	}{
		{"day", storage.BucketDay, time.Date(2026, 3, 4, 17, 5, 0, 0, time.UTC), time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"empty is day", "", time.Date(2026, 3, 4, 0, 0, 0, 1, time.UTC), time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"day counts in UTC", storage.BucketDay, time.Date(2026, 3, 4, 1, 0, 0, 0, msk), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)},
		// 2026-03-02 is a Monday.
		{"week from wednesday", storage.BucketWeek, time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"week from monday", storage.BucketWeek, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"week from sunday", storage.BucketWeek, time.Date(2026, 3, 8, 23, 59, 59, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"week across a year", storage.BucketWeek, time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC), time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.bucket.Start(tt.in)
			assert.Equal(t, tt.want, got)
			if tt.bucket == storage.BucketWeek {
				assert.Equal(t, time.Monday, got.Weekday())
			}
		})
	}
}

// TestQueryCheck covers both queries' Check: each names the one field
// that is wrong.
func TestQueryCheck(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		check func() error
		field string
	}{
		{"stats: zero", storage.StatsQuery{}.Check, ""},
		{"stats: week", storage.StatsQuery{Bucket: storage.BucketWeek, From: t0, To: t0.Add(time.Hour)}.Check, ""},
		{"stats: empty period", storage.StatsQuery{From: t0, To: t0}.Check, ""},
		{"stats: unknown bucket", storage.StatsQuery{Bucket: "month"}.Check, "bucket"},
		{"stats: reversed period", storage.StatsQuery{From: t0, To: t0.Add(-time.Hour)}.Check, "to"},
		{"stats: canonical mode", storage.StatsQuery{Mode: score.ModeDialog}.Check, ""},
		{"stats: spelling that is not canonical", storage.StatsQuery{Mode: "manager +"}.Check, "mode"},
		{"stats: unknown mode", storage.StatsQuery{Mode: "Sales"}.Check, "mode"},
		{"managers: zero", storage.ManagerQuery{}.Check, ""},
		{"managers: mode and period", storage.ManagerQuery{Mode: score.ModeClient, From: t0, To: t0.Add(time.Hour)}.Check, ""},
		{"managers: unknown mode", storage.ManagerQuery{Mode: "Client"}.Check, "mode"},
		{"managers: reversed period", storage.ManagerQuery{From: t0, To: t0.Add(-time.Hour)}.Check, "to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check()
			if tt.field == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			require.Len(t, callaudit.FieldsOf(err), 1)
			assert.Equal(t, tt.field, callaudit.FieldsOf(err)[0].Field)
		})
	}
}

func TestManagerQueryMidpoint(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	first, last := t0.Add(24*time.Hour), t0.Add(72*time.Hour)
	tests := []struct {
		name string
		q    storage.ManagerQuery
		want time.Time
	}{
		{"unbounded uses the calls", storage.ManagerQuery{}, t0.Add(48 * time.Hour)},
		{"bounded ignores the calls", storage.ManagerQuery{From: t0, To: t0.Add(10 * 24 * time.Hour)}, t0.Add(5 * 24 * time.Hour)},
		{"only from", storage.ManagerQuery{From: t0}, t0.Add(36 * time.Hour)},
		{"only to", storage.ManagerQuery{To: t0.Add(5 * 24 * time.Hour)}, t0.Add(3 * 24 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.q.Midpoint(first, last))
		})
	}
}

func TestModeOrDefault(t *testing.T) {
	for _, tt := range []struct {
		mode, want score.Mode
	}{
		{"", score.ModeManager},
		{score.ModeManager, score.ModeManager},
		{score.ModeClient, score.ModeClient},
		{score.ModeDialog, score.ModeDialog},
	} {
		assert.Equal(t, tt.want, storage.StatsQuery{Mode: tt.mode}.ModeOrDefault(), "StatsQuery %q", tt.mode)
		assert.Equal(t, tt.want, storage.ManagerQuery{Mode: tt.mode}.ModeOrDefault(), "ManagerQuery %q", tt.mode)
	}
}
