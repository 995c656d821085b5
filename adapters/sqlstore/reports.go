package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

var _ storage.ReportVersions = (*Store)(nil)

// ReplaceReport makes report the call's report in one write transaction
// (Update's): the report it replaces is copied to call_reports as the
// next version first.
func (s *Store) ReplaceReport(ctx context.Context, id string, report *score.Report, change storage.ReportChange) (storage.Call, error) {
	if err := storage.CheckReplaceReport(id, report, change); err != nil {
		return storage.Call{}, err
	}
	b, err := json.Marshal(report)
	if err != nil {
		return storage.Call{}, callaudit.Wrap(err, callaudit.KindInvalid, "sqlstore.ReplaceReport", "the report cannot be stored as JSON")
	}
	var fresh score.Report
	if err := json.Unmarshal(b, &fresh); err != nil {
		return storage.Call{}, callaudit.Wrap(err, callaudit.KindInvalid, "sqlstore.ReplaceReport", "the report cannot be stored as JSON")
	}
	return s.update(ctx, "ReplaceReport", id, func(tx *sql.Tx, c *storage.Call) error {
		if c.Report != nil {
			old, err := json.Marshal(c.Report)
			if err != nil {
				return callaudit.Wrap(err, callaudit.KindInternal, "sqlstore.ReplaceReport", "cannot encode the stored report")
			}
			// The versions of one call are written under the call's row
			// lock (Update's), so max+1 cannot be taken twice.
			_, err = tx.ExecContext(ctx, s.dialect.rebind(`INSERT INTO call_reports (call_id, version, report, replaced_at, reason, by_whom)
SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ? FROM call_reports WHERE call_id = ?`),
				id, string(old), s.dialect.timeArg(s.now().UTC()), change.Reason, change.By, id)
			if err != nil {
				return s.translate("ReplaceReport", err)
			}
		}
		c.Report = &fresh
		return nil
	})
}

// Reports lists the call's reports, oldest first: call_reports, then the
// call's own.
func (s *Store) Reports(ctx context.Context, id string) ([]storage.ReportVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, s.translate("Reports", err)
	}
	// One read transaction, so that a replacement between the two reads
	// cannot show a report twice or not at all.
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.translate("Reports", err)
	}
	defer func() { _ = tx.Rollback() }()
	call, err := scanCall(tx.QueryRowContext(ctx, s.q.get, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.NotFound(id)
	}
	if err != nil {
		return nil, s.translate("Reports", err)
	}
	rows, err := tx.QueryContext(ctx, s.dialect.rebind(`SELECT version, report, replaced_at, reason, by_whom FROM call_reports
WHERE call_id = ? ORDER BY version`), id)
	if err != nil {
		return nil, s.translate("Reports", err)
	}
	defer rows.Close()
	var archived []storage.ArchivedReport
	for rows.Next() {
		var (
			a        storage.ArchivedReport
			report   string
			replaced timeValue
		)
		if err := rows.Scan(&a.Version, &report, &replaced, &a.Change.Reason, &a.Change.By); err != nil {
			return nil, s.translate("Reports", err)
		}
		if err := json.Unmarshal([]byte(report), &a.Report); err != nil {
			return nil, s.translate("Reports", fmt.Errorf("call %q: stored report version %d: %w", id, a.Version, err))
		}
		a.ReplacedAt = replaced.t
		archived = append(archived, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.translate("Reports", err)
	}
	return storage.ReportHistory(call, archived), nil
}
