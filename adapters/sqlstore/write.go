package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// insertCall inserts one row of calls; the queries add what happens when
// the id exists (Save replaces, Create keeps the stored row).
const insertCall = `INSERT INTO calls (id, manager_id, mode, language, status, status_reason, source, recording_url,
	total_score, scorer, model, report, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// row is a call as the calls table's columns, what Save, Create and
// Update write. Times are kept to the microsecond (PostgreSQL's
// resolution, used by both dialects so that they agree).
type row struct {
	call          storage.Call
	created, now  time.Time
	total         sql.NullInt64
	report        sql.NullString
	scorer, model string
}

// toRow checks call's id and converts it for writing at the store's now.
func (s *Store) toRow(op string, call storage.Call) (row, error) {
	if strings.TrimSpace(call.ID) == "" {
		return row{}, invalid("call_id", "is required")
	}
	r := row{call: call, now: s.now().UTC().Truncate(time.Microsecond)}
	r.created = call.CreatedAt.UTC().Truncate(time.Microsecond)
	if call.CreatedAt.IsZero() {
		r.created = r.now
	}
	if call.Report != nil {
		b, err := json.Marshal(call.Report)
		if err != nil {
			return row{}, callaudit.Wrap(err, callaudit.KindInvalid, "sqlstore."+op, "the report cannot be stored as JSON")
		}
		// A string, not []byte: SQLite would store bytes as a BLOB, which
		// its JSON functions read as JSONB.
		r.report = sql.NullString{String: string(b), Valid: true}
		r.total = sql.NullInt64{Int64: int64(call.Report.TotalScore), Valid: true}
		r.scorer, r.model = call.Report.Meta.Scorer, call.Report.Meta.Model
	}
	return r, nil
}

// args are insertCall's arguments.
func (r *row) args(d dialect) []any {
	c := r.call
	return []any{c.ID, c.ManagerID, string(c.Mode), c.Language, string(c.Status), c.StatusReason,
		c.Source, c.RecordingURL, r.total, r.scorer, r.model, r.report,
		d.timeArg(r.created), d.timeArg(r.now)}
}

// withCriteria reports whether the row has call_criteria rows.
func (r *row) withCriteria() bool {
	return counted(r.call) && len(r.call.Report.Criteria) > 0
}

// criteriaStmt returns the prepared insert of the row's criteria, or nil.
// Call it before the transaction: on SQLite the write pool's one
// connection is the transaction's until it ends.
func (s *Store) criteriaStmt(ctx context.Context, r *row) (*sql.Stmt, error) {
	if !r.withCriteria() {
		return nil, nil
	}
	return s.stmts.insertCriteria(ctx, s.write, len(r.call.Report.Criteria))
}

// replaceCriteria makes the call's call_criteria rows those of r, in tx;
// created is the call's stored CreatedAt. stmt is criteriaStmt's, or nil
// to run the insert unprepared.
func (s *Store) replaceCriteria(ctx context.Context, tx *sql.Tx, r *row, created time.Time, stmt *sql.Stmt) error {
	if err := s.exec(ctx, tx, s.stmtOf(func(st *statements) *sql.Stmt { return st.deleteCriteria }), s.q.deleteCriteria, r.call.ID); err != nil {
		return err
	}
	if !r.withCriteria() {
		return nil
	}
	args := s.criteriaArgs(r.call, created)
	if stmt != nil {
		return s.exec(ctx, tx, stmt, "", args...)
	}
	return s.exec(ctx, tx, nil, criteriaInsert(s.dialect, len(r.call.Report.Criteria)), args...)
}
