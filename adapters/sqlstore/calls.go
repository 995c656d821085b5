package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// callColumns are the columns a Call is read from, in scanCall's order.
const callColumns = "id, manager_id, mode, language, status, status_reason, source, recording_url, report, created_at, updated_at"

// queries are the fixed statements, rebound for the dialect once at Open.
type queries struct {
	upsert, create, deleteCriteria, get, getForUpdate string
}

func buildQueries(d dialect) queries {
	get := "SELECT " + callColumns + " FROM calls WHERE id = ?"
	// Update's read locks the row on PostgreSQL (other writers of the call
	// wait); on SQLite the transaction's BEGIN IMMEDIATE already keeps
	// every other writer out.
	forUpdate := get
	if _, ok := d.(postgresDialect); ok {
		forUpdate += " FOR UPDATE"
	}
	return queries{
		// Re-saving a call replaces every column but created_at, which
		// keeps the first save's value; RETURNING hands that value back
		// for the call_criteria copies.
		upsert: d.rebind(insertCall + `
ON CONFLICT (id) DO UPDATE SET manager_id = excluded.manager_id, mode = excluded.mode, language = excluded.language,
	status = excluded.status, status_reason = excluded.status_reason, source = excluded.source,
	recording_url = excluded.recording_url, total_score = excluded.total_score, scorer = excluded.scorer,
	model = excluded.model, report = excluded.report, updated_at = excluded.updated_at
RETURNING created_at`),
		// Create keeps a stored call as it is; no row back means it existed.
		create:         d.rebind(insertCall + "\nON CONFLICT (id) DO NOTHING RETURNING created_at"),
		deleteCriteria: d.rebind("DELETE FROM call_criteria WHERE call_id = ?"),
		get:            d.rebind(get),
		getForUpdate:   d.rebind(forUpdate),
	}
}

// Save inserts the call or replaces the one with the same ID, keeping the
// first CreatedAt.
func (s *Store) Save(ctx context.Context, call storage.Call) error {
	r, err := s.toRow("Save", call)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return s.translate("Save", err)
	}
	criteriaStmt, err := s.criteriaStmt(ctx, &r)
	if err != nil {
		return s.translate("Save", err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var kept timeValue
		err := s.queryRow(ctx, tx, s.stmtOf(func(st *statements) *sql.Stmt { return st.upsert }), s.q.upsert, r.args(s.dialect)...).Scan(&kept)
		if err != nil {
			return err
		}
		return s.replaceCriteria(ctx, tx, &r, kept.t, criteriaStmt)
	})
	return s.translate("Save", err)
}

// stmtOf returns the prepared statement pick chooses, or nil when the
// Store runs its queries unprepared.
func (s *Store) stmtOf(pick func(*statements) *sql.Stmt) *sql.Stmt {
	if s.stmts == nil {
		return nil
	}
	return pick(s.stmts)
}

// queryRow runs the prepared stmt in tx when there is one, else query.
func (s *Store) queryRow(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt, query string, args ...any) *sql.Row {
	if stmt != nil {
		return tx.StmtContext(ctx, stmt).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// exec runs the prepared stmt in tx when there is one, else query.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt, query string, args ...any) error {
	var err error
	if stmt != nil {
		_, err = tx.StmtContext(ctx, stmt).ExecContext(ctx, args...)
	} else {
		_, err = tx.ExecContext(ctx, query, args...)
	}
	return err
}

// counted reports whether the call counts in statistics: done, with a
// report. Only such calls have call_criteria rows.
func counted(c storage.Call) bool {
	return c.Status == storage.StatusDone && c.Report != nil
}

// criteriaArgs are the arguments of criteriaInsert for the call's
// criterion scores, six per row.
func (s *Store) criteriaArgs(call storage.Call, created time.Time) []any {
	args := make([]any, 0, 6*len(call.Report.Criteria))
	at := s.dialect.timeArg(created)
	for id, sc := range call.Report.Criteria {
		args = append(args, call.ID, id, sc, call.ManagerID, string(call.Mode), at)
	}
	return args
}

// Get returns the call with the id, or a KindNotFound error.
func (s *Store) Get(ctx context.Context, id string) (storage.Call, error) {
	var row *sql.Row
	if st := s.stmtOf(func(st *statements) *sql.Stmt { return st.get }); st != nil {
		row = st.QueryRowContext(ctx, id)
	} else {
		row = s.read.QueryRowContext(ctx, s.q.get, id)
	}
	c, err := scanCall(row)
	if err != nil {
		err = s.translate("Get", err)
		if ce, ok := err.(*callaudit.Error); ok && ce.Kind == callaudit.KindNotFound {
			// The message stays "call not found"; a server shows the id
			// from the code's params (storage.NotFound).
			nf := storage.NotFound(id)
			ce.Code, ce.Params = nf.Code, nf.Params
		}
		return storage.Call{}, err
	}
	return c, nil
}

// List returns one page of the calls that match f, newest first. It pages
// with a keyset on (created_at, id): the cursor holds the last call's key
// and the next page starts strictly after it, so pages stay stable while
// calls are added and cost the same however deep they are.
func (s *Store) List(ctx context.Context, f storage.Filter) (storage.Page, error) {
	q, args, limit, err := s.listQuery(f)
	if err != nil {
		return storage.Page{}, err
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return storage.Page{}, s.translate("List", err)
	}
	defer rows.Close()
	page := storage.Page{Calls: make([]storage.Call, 0, min(limit, 64))}
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return storage.Page{}, s.translate("List", err)
		}
		page.Calls = append(page.Calls, c)
	}
	if err := rows.Err(); err != nil {
		return storage.Page{}, s.translate("List", err)
	}
	if len(page.Calls) > limit {
		page.Calls = page.Calls[:limit]
		page.NextCursor = storage.EncodeCursor(storage.CursorOf(page.Calls[limit-1]))
	}
	return page, nil
}

// listQuery builds List's query for f and returns it with its arguments
// and the page size.
func (s *Store) listQuery(f storage.Filter) (q string, args []any, limit int, err error) {
	limit = f.Limit
	switch {
	case limit < 0:
		return "", nil, 0, invalid("limit", "must not be negative")
	case limit > storage.MaxLimit:
		return "", nil, 0, invalid("limit", "must be at most "+strconv.Itoa(storage.MaxLimit))
	case limit == 0:
		limit = storage.DefaultLimit
	}
	var w where
	if f.Cursor != "" {
		cur, err := storage.DecodeCursor(f.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		w.add("(created_at, id) < (?, ?)", s.dialect.timeArg(cur.CreatedAt), cur.ID)
	}
	if f.ManagerID != "" {
		w.add("manager_id = ?", f.ManagerID)
	}
	if len(f.ManagerIDs) > 0 {
		w.add("manager_id IN (?"+strings.Repeat(", ?", len(f.ManagerIDs)-1)+")", anys(f.ManagerIDs)...)
	}
	s.period(&w, f.From, f.To)
	if f.MinScore != nil {
		w.add("total_score >= ?", *f.MinScore)
	}
	if f.MaxScore != nil {
		w.add("total_score <= ?", *f.MaxScore)
	}
	if f.Mode != "" {
		w.add("mode = ?", string(f.Mode))
	}
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	cond, err := reviewCondition(f.Review)
	if err != nil {
		return "", nil, 0, err
	}
	if cond != "" {
		w.add(cond)
	}
	// One row more than the page tells whether another page follows. The
	// limit is an argument, not literal text, so that the statements
	// pgx prepares and caches stay few.
	q = "SELECT " + callColumns + " FROM calls" + w.sql() + " ORDER BY created_at DESC, id DESC LIMIT ?"
	return s.dialect.rebind(q), append(w.args, limit+1), limit, nil
}

// period adds the [from, to) bounds on created_at.
func (s *Store) period(w *where, from, to time.Time) {
	if !from.IsZero() {
		// Stored times have microsecond resolution: a call at or after
		// from is at or after from rounded up to the microsecond.
		w.add("created_at >= ?", s.dialect.timeArg(ceilMicro(from)))
	}
	if !to.IsZero() {
		w.add("created_at < ?", s.dialect.timeArg(ceilMicro(to)))
	}
}

// ceilMicro rounds t up to a whole microsecond.
func ceilMicro(t time.Time) time.Time {
	if r := t.Truncate(time.Microsecond); !r.Equal(t) {
		return r.Add(time.Microsecond)
	}
	return t
}

// where collects the conditions of a query and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

func scanCall(r rowScanner) (storage.Call, error) {
	var (
		c                storage.Call
		mode, status     string
		report           sql.NullString
		created, updated timeValue
	)
	err := r.Scan(&c.ID, &c.ManagerID, &mode, &c.Language, &status, &c.StatusReason,
		&c.Source, &c.RecordingURL, &report, &created, &updated)
	if err != nil {
		return storage.Call{}, err
	}
	c.Mode, c.Status = score.Mode(mode), storage.Status(status)
	c.CreatedAt, c.UpdatedAt = created.t, updated.t
	if report.Valid {
		c.Report = new(score.Report)
		if err := json.Unmarshal([]byte(report.String), c.Report); err != nil {
			return storage.Call{}, fmt.Errorf("call %q: stored report: %w", c.ID, err)
		}
	}
	return c, nil
}

// timeValue scans a time from either dialect: a time.Time (PostgreSQL) or
// the text SQLite keeps (timeLayout, or a bare date from date()).
type timeValue struct{ t time.Time }

func (v *timeValue) Scan(src any) error {
	switch x := src.(type) {
	case time.Time:
		v.t = x.UTC()
		return nil
	case string:
		return v.parse(x)
	case []byte:
		return v.parse(string(x))
	}
	return fmt.Errorf("sqlstore: cannot read a time from %T", src)
}

func (v *timeValue) parse(s string) error {
	layout := time.RFC3339Nano
	if len(s) == len(time.DateOnly) {
		layout = time.DateOnly
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return fmt.Errorf("sqlstore: stored time %q: %w", s, err)
	}
	v.t = t.UTC()
	return nil
}

// anys converts strings to query arguments.
func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, v := range ss {
		out[i] = v
	}
	return out
}
