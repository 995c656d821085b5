package storage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

func TestCursorRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		cur  storage.Cursor
	}{
		{"plain", storage.Cursor{CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), ID: "call-1"}},
		{"nanoseconds", storage.Cursor{CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC), ID: "x"}},
		{"id with separators", storage.Cursor{CreatedAt: time.Unix(0, 1).UTC(), ID: "a|b|c"}},
		{"unicode id", storage.Cursor{CreatedAt: time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), ID: "звонок/42"}},
		{"other zone", storage.Cursor{CreatedAt: time.Date(2026, 3, 1, 13, 0, 0, 0, time.FixedZone("MSK", 3*3600)), ID: "z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storage.EncodeCursor(tt.cur)
			assert.NotContains(t, s, "/")
			assert.NotContains(t, s, "+")
			got, err := storage.DecodeCursor(s)
			require.NoError(t, err)
			assert.True(t, tt.cur.CreatedAt.Equal(got.CreatedAt), "time %v != %v", got.CreatedAt, tt.cur.CreatedAt)
			assert.Equal(t, time.UTC, got.CreatedAt.Location())
			assert.Equal(t, tt.cur.ID, got.ID)
		})
	}
}

func TestDecodeCursorRejectsGarbage(t *testing.T) {
	for _, s := range []string{
		"",
		"not base64 !",
		"bm90IGEgY3Vyc29y", // "not a cursor"
		storage.EncodeCursor(storage.Cursor{ID: ""}),
		"Mnw1fGlk", // "2|5|id": unknown version
		"MXx4fGlk", // "1|x|id": bad time
		strings.Repeat("A", 2000),
	} {
		_, err := storage.DecodeCursor(s)
		require.Error(t, err, "cursor %q", s)
		assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
		assert.Equal(t, "cursor", callaudit.FieldsOf(err)[0].Field)
	}
}

func TestCursorAfter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cur := storage.CursorOf(storage.Call{ID: "m", CreatedAt: t0})
	tests := []struct {
		name string
		call storage.Call
		want bool
	}{
		{"older", storage.Call{ID: "z", CreatedAt: t0.Add(-time.Second)}, true},
		{"newer", storage.Call{ID: "a", CreatedAt: t0.Add(time.Second)}, false},
		{"same time smaller id", storage.Call{ID: "a", CreatedAt: t0}, true},
		{"same time larger id", storage.Call{ID: "z", CreatedAt: t0}, false},
		{"itself", storage.Call{ID: "m", CreatedAt: t0}, false},
		{"same instant other zone", storage.Call{ID: "a", CreatedAt: t0.In(time.FixedZone("X", 3600))}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cur.After(tt.call))
		})
	}
}
