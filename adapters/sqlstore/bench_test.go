package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/storagetest"
)

// The benchmarks run over a database loaded with AUDIT_BENCH_CALLS calls
// (default 100,000; the recorded figures use 1,000,000) of 200 managers
// over one year, made by storagetest.Generator. They run only with -bench,
// never in the normal test command.
//
// AUDIT_BENCH_KEEP=1 keeps the loaded database between runs (a SQLite
// file in the temporary directory, a PostgreSQL schema
// sqlstore_bench_<calls>) and reuses it when it is complete, so that
// query benchmarks can be repeated without loading again.

const (
	benchManagers = 200
	benchSpan     = 365 * 24 * time.Hour
)

var benchFrom = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func benchCalls() int {
	if v, err := strconv.Atoi(os.Getenv("AUDIT_BENCH_CALLS")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

func benchGenerator() storagetest.Generator {
	return storagetest.Generator{Managers: benchManagers, Seed: 42, From: benchFrom, Span: benchSpan}
}

// loaded is a store filled once per dialect and process.
type loaded struct {
	once  sync.Once
	store *sqlstore.Store
	err   error
	// cleanup removes the database unless AUDIT_BENCH_KEEP=1.
	cleanup func()
	// have is the number of calls in the database once loaded: at least
	// AUDIT_BENCH_CALLS, more when a kept database got the save
	// benchmarks' calls.
	have int
}

var benchStores = map[string]*loaded{"sqlite": {}, "postgres": {}}

// benchStore returns the loaded store of the dialect, loading it on first
// use with the same parallelism as a busy server (8 writers).
func benchStore(b *testing.B, db string) *sqlstore.Store {
	b.Helper()
	l := benchStores[db]
	n := benchCalls()
	if db == "postgres" {
		postgresURL(b) // skip or fail here, not inside once
	}
	l.once.Do(func() {
		dsn := benchDSN(b, db, n)
		l.cleanup = func() { removeBench(db, dsn) }
		l.store, l.err = sqlstore.Open(context.Background(), dsn)
		if l.err != nil {
			return
		}
		if l.err = l.store.DB().QueryRow("SELECT count(*) FROM calls").Scan(&l.have); l.err != nil || l.have >= n {
			return
		}
		if l.have != 0 {
			l.err = fmt.Errorf("%s holds %d calls, not 0 or at least %d: remove it", db, l.have, n)
			return
		}
		l.have = n
		start := time.Now()
		l.err = storagetest.Load(context.Background(), l.store, benchGenerator(), n, 8)
		took := time.Since(start)
		// Fresh statistics for the planner, as a server gets from
		// autovacuum (PostgreSQL) or PRAGMA optimize (SQLite).
		if l.err == nil {
			l.err = l.store.Optimize(context.Background())
		}
		fmt.Fprintf(os.Stderr, "sqlstore bench: loaded %d calls into %s in %s (%.0f calls/s, 8 writers)\n",
			n, db, took.Round(time.Millisecond), float64(n)/took.Seconds())
	})
	require.NoError(b, l.err)
	return l.store
}

// TestMain removes the benchmark databases after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, l := range benchStores {
		if l.store != nil {
			_ = l.store.Close()
		}
		if l.cleanup != nil {
			l.cleanup()
		}
	}
	os.Exit(code)
}

// removeBench drops a benchmark database that is not to be kept.
func removeBench(db, dsn string) {
	if os.Getenv("AUDIT_BENCH_KEEP") == "1" {
		return
	}
	switch db {
	case "sqlite":
		_ = os.RemoveAll(filepath.Dir(dsn))
	case "postgres":
		admin, err := sql.Open("pgx", os.Getenv("AUDIT_TEST_POSTGRES_URL"))
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec("DROP SCHEMA IF EXISTS " + fmt.Sprintf("sqlstore_bench_%d", benchCalls()) + " CASCADE")
	}
}

// benchDSN returns the database to load: a new one, or with
// AUDIT_BENCH_KEEP=1 the kept one of this size.
func benchDSN(b *testing.B, db string, n int) string {
	keep := os.Getenv("AUDIT_BENCH_KEEP") == "1"
	var dsn string
	switch db {
	case "sqlite":
		dir := os.TempDir()
		if !keep {
			// Not b.TempDir: the store outlives this benchmark, for the
			// next ones of the process.
			var err error
			dir, err = os.MkdirTemp("", "sqlstore-bench-")
			require.NoError(b, err)
		}
		dsn = filepath.Join(dir, fmt.Sprintf("callaudit-bench-%d.db", n))
	case "postgres":
		base := postgresURL(b)
		schema := fmt.Sprintf("sqlstore_bench_%d", n)
		admin, err := sql.Open("pgx", base)
		require.NoError(b, err)
		defer admin.Close()
		if !keep {
			_, err = admin.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE")
			require.NoError(b, err)
		}
		_, err = admin.Exec("CREATE SCHEMA IF NOT EXISTS " + schema)
		require.NoError(b, err)
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		dsn = base + sep + "search_path=" + schema
	}
	return dsn
}

// saveAll saves generated calls [from, to) with the given number of
// goroutines. (storagetest.Load does the same from call 0.)
func saveAll(s *sqlstore.Store, from, to, workers int) error {
	gen := benchGenerator()
	var next atomic.Int64
	next.Store(int64(from))
	errs := make(chan error, workers)
	for range workers {
		go func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= to {
					errs <- nil
					return
				}
				if err := s.Save(context.Background(), gen.Call(i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// timed runs op b.N times and reports the median and 95th percentile
// latency beside the mean that ns/op gives.
func timed(b *testing.B, op func(i int) error) {
	b.Helper()
	d := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(d[len(d)*95/100].Microseconds())/1000, "ms-p95")
}

// BenchmarkSqlstoreStats runs one manager's statistics as
// GET /managers/{id}/stats does: count, average, min, max, per-criterion
// averages and a daily trend over the last 90 days of the data.
func BenchmarkSqlstoreStats(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			s := benchStore(b, db)
			gen := benchGenerator()
			to := benchFrom.Add(benchSpan)
			from := to.Add(-90 * 24 * time.Hour)
			var calls int
			timed(b, func(i int) error {
				st, err := s.Stats(context.Background(), storage.StatsQuery{
					ManagerID: gen.ManagerID(i % benchManagers), From: from, To: to, Bucket: storage.BucketDay,
				})
				calls += st.Count
				if err == nil && st.Count == 0 {
					err = fmt.Errorf("manager %s has no calls", st.ManagerID)
				}
				return err
			})
			b.ReportMetric(float64(calls)/float64(b.N), "calls/query")
		})
	}
}

// BenchmarkSqlstoreStatsAllTime is the same over a manager's whole history
// (about 5,000 calls at 1M), the heaviest stats query a manager can ask.
func BenchmarkSqlstoreStatsAllTime(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			s := benchStore(b, db)
			gen := benchGenerator()
			timed(b, func(i int) error {
				_, err := s.Stats(context.Background(), storage.StatsQuery{ManagerID: gen.ManagerID(i % benchManagers), Bucket: storage.BucketWeek})
				return err
			})
		})
	}
}

// BenchmarkSqlstoreList reads one filtered page as GET /calls does:
// manager, a 90-day period and a score range, 50 calls newest first; every
// other iteration reads the following page through the cursor.
func BenchmarkSqlstoreList(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			s := benchStore(b, db)
			gen := benchGenerator()
			to := benchFrom.Add(benchSpan)
			lo, hi := 40, 80
			f := storage.Filter{From: to.Add(-90 * 24 * time.Hour), To: to, MinScore: &lo, MaxScore: &hi, Limit: 50}
			var cursor string
			timed(b, func(i int) error {
				f.ManagerID = gen.ManagerID((i / 2) % benchManagers)
				f.Cursor = ""
				if i%2 == 1 {
					f.Cursor = cursor
				}
				page, err := s.List(context.Background(), f)
				cursor = page.NextCursor
				if err == nil && len(page.Calls) == 0 {
					err = fmt.Errorf("manager %s: empty page", f.ManagerID)
				}
				return err
			})
		})
	}
}

// BenchmarkSqlstoreSaveParallel measures insert throughput into the loaded
// database with 8 writers at once (the kit's Save/insert is one writer).
func BenchmarkSqlstoreSaveParallel(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			s := benchStore(b, db)
			// New ids far past the loaded ones and the kit's inserts; each
			// run continues where the last one stopped, so no save is an
			// update.
			start := 10*benchStores[db].have + int(saved.Add(int64(b.N))) - b.N
			b.ReportAllocs()
			b.ResetTimer()
			t0 := time.Now()
			if err := saveAll(s, start, start+b.N, 8); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "calls/s")
		})
	}
}

// saved counts the calls BenchmarkSqlstoreSaveParallel added, across runs.
var saved atomic.Int64

// BenchmarkSqlstoreKit runs the storage kit's benchmarks (every Store
// operation a server performs) over the loaded database.
func BenchmarkSqlstoreKit(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			storagetest.Benchmark(b, benchStore(b, db), benchGenerator(), benchCalls())
		})
	}
}

// BenchmarkSqlstoreCriteriaDesign compares the two ways to average a
// manager's per-criterion scores over the whole history (about 5,000
// calls at 1M): the call_criteria side table the store keeps, and reading
// the criteria out of the report JSON with the database's JSON functions.
// It is the measurement behind the schema choice (see docs/benchmarks.md).
func BenchmarkSqlstoreCriteriaDesign(b *testing.B) {
	queries := map[string]map[string]string{
		"sqlite": {
			"side-table": "SELECT criterion, count(*), sum(score) FROM call_criteria WHERE manager_id = ? GROUP BY criterion",
			"json": `SELECT j.key, count(*), sum(j.value) FROM calls, json_each(calls.report, '$.criteria') AS j
				WHERE calls.manager_id = ? AND calls.status = 'done' AND calls.total_score IS NOT NULL GROUP BY j.key`,
		},
		"postgres": {
			"side-table": "SELECT criterion, count(*), sum(score) FROM call_criteria WHERE manager_id = $1 GROUP BY criterion",
			"json": `SELECT j.key, count(*), sum(j.value::int) FROM calls, json_each_text(calls.report->'criteria') AS j
				WHERE calls.manager_id = $1 AND calls.status = 'done' AND calls.total_score IS NOT NULL GROUP BY j.key`,
		},
	}
	for _, db := range []string{"sqlite", "postgres"} {
		for _, design := range []string{"side-table", "json"} {
			b.Run(db+"/"+design, func(b *testing.B) {
				s := benchStore(b, db)
				gen := benchGenerator()
				timed(b, func(i int) error {
					rows, err := s.DB().Query(queries[db][design], gen.ManagerID(i%benchManagers))
					if err != nil {
						return err
					}
					n := 0
					for rows.Next() {
						n++
					}
					if err := rows.Close(); err != nil {
						return err
					}
					if n == 0 {
						return fmt.Errorf("no criteria")
					}
					return rows.Err()
				})
			})
		}
	}
}
