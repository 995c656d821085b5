package queue_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// BenchmarkEnqueueCall measures the accepting half of a webhook alone —
// create the call as queued (storage.Creator: one transaction), insert
// the unique job — with
// the workers not started, on each backend, from parallel callers
// (-cpu sets how many). The burst harness in cmd/auditd measures the same
// path through HTTP with the analyses running alongside.
func BenchmarkEnqueueCall(b *testing.B) {
	for _, be := range []struct {
		name string
		dsn  func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return filepath.Join(b.TempDir(), "calls.db") }},
		{"postgres", func(b *testing.B) string { return freshPostgresTB(b) }},
	} {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			dsn := be.dsn(b)
			store, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			a, err := audit.New(checklist.New(), audit.WithStore(store), audit.WithTranscriber(&transcribetest.Fake{}), audit.WithFetcher(&fetcher{}))
			if err != nil {
				b.Fatal(err)
			}
			q, err := queue.Open(ctx, queue.Config{DatabaseURL: dsn, Auditor: a})
			if err != nil {
				b.Fatal(err)
			}
			defer q.Stop(ctx)
			var n atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := fmt.Sprint("bench-", n.Add(1))
					if _, created, err := q.EnqueueCall(ctx, audit.Input{CallID: id, AudioURL: "https://pbx.example/" + id + ".wav"}, ""); err != nil || !created {
						b.Errorf("enqueue %s: created %v, %v", id, created, err)
					}
				}
			})
		})
	}
}
