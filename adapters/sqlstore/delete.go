package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/callaudit/callaudit/storage"
)

var _ storage.Deleter = (*Store)(nil)

// Delete removes the call with id, its call_criteria rows, its review,
// its earlier reports and its transcript checkpoint in one transaction; an
// unknown id is KindNotFound.
func (s *Store) Delete(ctx context.Context, id string) error {
	if strings.TrimSpace(id) == "" {
		return invalid("call_id", "is required")
	}
	if err := ctx.Err(); err != nil {
		return s.translate("Delete", err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n, err := s.deleteIDs(ctx, tx, []string{id})
		if err == nil && n == 0 {
			return storage.NotFound(id)
		}
		return err
	})
	return s.translate("Delete", err)
}

// DeleteBefore removes up to limit calls created before t, oldest first,
// with their call_criteria rows, in one short transaction.
func (s *Store) DeleteBefore(ctx context.Context, t time.Time, limit int) ([]string, error) {
	if limit < 1 {
		return nil, invalid("limit", "must be at least 1")
	}
	if err := ctx.Err(); err != nil {
		return nil, s.translate("DeleteBefore", err)
	}
	var ids []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.dialect.rebind(`SELECT id FROM calls WHERE created_at < ? ORDER BY created_at, id LIMIT ?`),
			s.dialect.timeArg(t), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		_, err = s.deleteIDs(ctx, tx, ids)
		return err
	})
	if err != nil {
		return nil, s.translate("DeleteBefore", err)
	}
	return ids, nil
}

// deleteIDs deletes the calls and their criteria rows in tx (explicitly:
// a database opened without foreign keys would not cascade) and returns
// how many calls went.
func (s *Store) deleteIDs(ctx context.Context, tx *sql.Tx, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	if _, err := tx.ExecContext(ctx, s.dialect.rebind(`DELETE FROM call_criteria WHERE call_id IN (`+in+`)`), args...); err != nil {
		return 0, err
	}
	// A transcript checkpoint (storage.TranscriptKeeper) is personal data
	// too.
	if _, err := tx.ExecContext(ctx, s.dialect.rebind(`DELETE FROM call_transcripts WHERE call_id IN (`+in+`)`), args...); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, s.dialect.rebind(`DELETE FROM call_reviews WHERE call_id IN (`+in+`)`), args...); err != nil {
		return 0, err
	}
	// So are the earlier reports (storage.ReportVersions).
	if _, err := tx.ExecContext(ctx, s.dialect.rebind(`DELETE FROM call_reports WHERE call_id IN (`+in+`)`), args...); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, s.dialect.rebind(`DELETE FROM calls WHERE id IN (`+in+`)`), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
