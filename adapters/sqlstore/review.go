package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

var _ storage.Reviews = (*Store)(nil)

// reviewColumns are the columns a review is read from. The review column
// is storage.Review as encoding/json writes it (Go field names): renaming
// a field of storage.Review needs a migration of the stored rows.
const reviewColumns = "review, revision, updated_at"

// Review returns the call's review (table call_reviews).
func (s *Store) Review(ctx context.Context, callID string) (storage.Review, bool, error) {
	row := s.read.QueryRowContext(ctx, s.dialect.rebind("SELECT "+reviewColumns+" FROM call_reviews WHERE call_id = ?"), callID)
	r, err := scanReview(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return storage.Review{}, false, nil
	case err != nil:
		return storage.Review{}, false, s.translate("Review", err)
	}
	return r, true, nil
}

func scanReview(row rowScanner) (storage.Review, error) {
	var (
		body    string
		rev     int
		updated timeValue
	)
	if err := row.Scan(&body, &rev, &updated); err != nil {
		return storage.Review{}, err
	}
	var r storage.Review
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return storage.Review{}, callaudit.Wrap(err, callaudit.KindInternal, "sqlstore.Review", "cannot decode the stored review")
	}
	r.Revision, r.UpdatedAt = rev, updated.t
	return r, nil
}

// SaveReview stores r when its Revision is the stored one: an insert for
// revision 0, else an update of that revision, in one transaction with a
// check that the call exists.
func (s *Store) SaveReview(ctx context.Context, r storage.Review) (storage.Review, error) {
	if strings.TrimSpace(r.CallID) == "" {
		return storage.Review{}, invalid("call_id", "is required")
	}
	if err := ctx.Err(); err != nil {
		return storage.Review{}, s.translate("SaveReview", err)
	}
	r = storage.CloneReview(r)
	old := r.Revision
	r.Revision++
	r.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	// The columns hold the revision and the time; the JSON the rest.
	stored := r
	stored.Revision, stored.UpdatedAt = 0, time.Time{}
	body, err := json.Marshal(stored)
	if err != nil {
		return storage.Review{}, callaudit.Wrap(err, callaudit.KindInternal, "sqlstore.SaveReview", "cannot encode the review")
	}
	reviewed := 0
	if r.Reviewed() {
		reviewed = 1
	}
	cols := []any{r.ManagerID, string(r.Mode), r.Scorecard, r.ScorecardVersion, reviewed, len(r.Disputes), r.OpenDisputes(),
		r.Revision, string(body), s.dialect.timeArg(r.UpdatedAt)}
	lock := ""
	if _, ok := s.dialect.(postgresDialect); ok {
		lock = " FOR SHARE" // a concurrent Delete of the call waits
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, s.dialect.rebind("SELECT 1 FROM calls WHERE id = ?"+lock), r.CallID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return storage.NotFound(r.CallID)
			}
			return err
		}
		var res sql.Result
		var err error
		if old == 0 {
			res, err = tx.ExecContext(ctx, s.dialect.rebind(`INSERT INTO call_reviews (manager_id, mode, scorecard, scorecard_version, reviewed,
	disputes, open_disputes, revision, review, updated_at, call_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (call_id) DO NOTHING`), append(cols, r.CallID)...)
		} else {
			res, err = tx.ExecContext(ctx, s.dialect.rebind(`UPDATE call_reviews SET manager_id = ?, mode = ?, scorecard = ?, scorecard_version = ?,
	reviewed = ?, disputes = ?, open_disputes = ?, revision = ?, review = ?, updated_at = ?
WHERE call_id = ? AND revision = ?`), append(cols, r.CallID, old)...)
		}
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return storage.ErrReviewChanged(r.CallID)
		}
		return nil
	})
	if err != nil {
		return storage.Review{}, s.translate("SaveReview", err)
	}
	return r, nil
}

// ListReviews returns the reviews q selects, by call id.
func (s *Store) ListReviews(ctx context.Context, q storage.ReviewQuery) ([]storage.Review, error) {
	var w where
	if q.Scorecard != "" {
		w.add("scorecard = ?", q.Scorecard)
	}
	if q.ScorecardVersion != 0 {
		w.add("scorecard_version = ?", q.ScorecardVersion)
	}
	if q.Mode != "" {
		w.add("mode = ?", string(q.Mode))
	}
	if len(q.ManagerIDs) > 0 {
		w.add("manager_id IN (?"+strings.Repeat(", ?", len(q.ManagerIDs)-1)+")", anys(q.ManagerIDs)...)
	}
	if len(q.CallIDs) > 0 {
		w.add("call_id IN (?"+strings.Repeat(", ?", len(q.CallIDs)-1)+")", anys(q.CallIDs)...)
	}
	if q.ReviewedOnly {
		w.add("reviewed = 1")
	}
	rows, err := s.read.QueryContext(ctx, s.dialect.rebind("SELECT "+reviewColumns+" FROM call_reviews"+w.sql()+" ORDER BY call_id"), w.args...)
	if err != nil {
		return nil, s.translate("ListReviews", err)
	}
	defer rows.Close()
	out := []storage.Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, s.translate("ListReviews", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.translate("ListReviews", err)
	}
	return out, nil
}

// reviewCondition is the condition on calls of a review state, or an
// error for an unknown state.
func reviewCondition(st storage.ReviewState) (string, error) {
	const exists = "EXISTS (SELECT 1 FROM call_reviews r WHERE r.call_id = calls.id AND "
	switch st {
	case storage.ReviewAny:
		return "", nil
	case storage.ReviewUnreviewed:
		return "NOT " + exists + "r.reviewed = 1)", nil
	case storage.ReviewReviewed:
		return exists + "r.reviewed = 1)", nil
	case storage.ReviewDisputed:
		return exists + "r.open_disputes > 0)", nil
	case storage.ReviewResolved:
		return exists + "r.disputes > 0 AND r.open_disputes = 0)", nil
	}
	return "", storage.InvalidReviewState()
}
