package sqlstore_test

import (
	"context"
	"testing"

	"github.com/callaudit/callaudit/storage"
)

// BenchmarkSave measures one Store.Save the way the server makes it after
// each analysis: a new call with a full report (about 7 KB of JSON and nine
// criteria) into a fresh database, one writer; "update" saves the same
// calls again, replacing them. Unlike the other benchmarks it needs no
// loaded database, so it is quick enough to compare changes with benchstat.
func BenchmarkSave(b *testing.B) {
	gen := benchGenerator()
	calls := make([]storage.Call, 256)
	for i := range calls {
		calls[i] = gen.Call(i)
		calls[i].Status = storage.StatusDone // every saved call has a report and criteria
		if calls[i].Report == nil {
			calls[i] = gen.Call(i + len(calls))
		}
	}
	for _, db := range databases() {
		for _, update := range []bool{false, true} {
			name := db.name + "/insert"
			if update {
				name = db.name + "/update"
			}
			b.Run(name, func(b *testing.B) {
				s := open(b, db.fresh(b))
				ctx := context.Background()
				if update {
					for _, c := range calls {
						if err := s.Save(ctx, c); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					c := calls[i%len(calls)]
					if !update {
						c.ID = gen.CallID(len(calls) + i)
					}
					if err := s.Save(ctx, c); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}
