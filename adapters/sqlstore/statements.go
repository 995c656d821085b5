package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// maxCachedCriteria bounds the multi-row criteria inserts kept prepared:
// one statement per row count up to this, a fresh one above it (no rubric
// that large is expected; the bound keeps a hostile report from growing
// the cache).
const maxCachedCriteria = 64

// statements holds the fixed statements prepared once per Store, so that a
// save does not parse and plan its SQL again every time: on SQLite that
// parsing was about a quarter of Save's CPU. database/sql prepares a Stmt
// again on any new connection it is used on, and Tx.StmtContext reuses
// the one already prepared on the transaction's connection.
//
// Only SQLite gets them: pgx already keeps a per-connection cache of
// prepared statements keyed by the SQL text, so on PostgreSQL the plain
// queries are prepared once anyway, and explicit prepares would only add
// a round trip per new connection.
type statements struct {
	upsert, deleteCriteria *sql.Stmt // on the write connection
	get                    *sql.Stmt // on the reading pool

	mu sync.Mutex
	// criteria[n] inserts n call_criteria rows.
	criteria map[int]*sql.Stmt
	// reads are the account reads (sessions, users, tokens: one per
	// request), prepared on the reading pool on first use.
	reads map[string]*sql.Stmt
}

// read returns the prepared read of query on pool, preparing it on first
// use.
func (st *statements) read(ctx context.Context, pool *sql.DB, query string) (*sql.Stmt, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if stmt, ok := st.reads[query]; ok {
		return stmt, nil
	}
	stmt, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if st.reads == nil {
		st.reads = map[string]*sql.Stmt{}
	}
	st.reads[query] = stmt
	return stmt, nil
}

// prepare prepares the fixed statements when the dialect benefits; nil
// means run the queries as they are.
func (s *Store) prepare(ctx context.Context) (*statements, error) {
	if _, ok := s.dialect.(sqliteDialect); !ok {
		return nil, nil
	}
	st := &statements{criteria: map[int]*sql.Stmt{}}
	var err error
	if st.upsert, err = s.write.PrepareContext(ctx, s.q.upsert); err == nil {
		if st.deleteCriteria, err = s.write.PrepareContext(ctx, s.q.deleteCriteria); err == nil {
			st.get, err = s.read.PrepareContext(ctx, s.q.get)
		}
	}
	if err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

// insertCriteria returns the prepared insert of n criterion rows, or nil
// when n is not cached.
func (st *statements) insertCriteria(ctx context.Context, write *sql.DB, n int) (*sql.Stmt, error) {
	if st == nil || n > maxCachedCriteria {
		return nil, nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if stmt, ok := st.criteria[n]; ok {
		return stmt, nil
	}
	stmt, err := write.PrepareContext(ctx, criteriaInsert(sqliteDialect{}, n))
	if err != nil {
		return nil, err
	}
	st.criteria[n] = stmt
	return stmt, nil
}

func (st *statements) close() {
	if st == nil {
		return
	}
	for _, stmt := range st.reads {
		_ = stmt.Close()
	}
	for _, stmt := range []*sql.Stmt{st.upsert, st.deleteCriteria, st.get} {
		if stmt != nil {
			_ = stmt.Close()
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, stmt := range st.criteria {
		_ = stmt.Close()
	}
	st.criteria = nil
}

// criteriaInsert is the multi-row INSERT of n call_criteria rows.
func criteriaInsert(d dialect, n int) string {
	const row = "(?, ?, ?, ?, ?, ?)"
	var b strings.Builder
	b.Grow(100 + n*(len(row)+2))
	b.WriteString("INSERT INTO call_criteria (call_id, criterion, score, manager_id, mode, created_at) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return d.rebind(b.String())
}
