package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

var _ storage.Scorecards = (*Store)(nil)

const scorecardColumns = "id, version, team, body, saved_by, saved_at"

// SaveScorecard stores a new version of a scorecard (table scorecards).
// The primary key (id, version) makes the second of two concurrent saves
// of one version fail, which is reported as the conflict it is (on
// PostgreSQL two saves of different versions may both pass the check;
// each is then a version of its own, above the latest either saw).
func (s *Store) SaveScorecard(ctx context.Context, sc storage.SavedScorecard) (storage.SavedScorecard, error) {
	if err := storage.CheckSaveScorecard(sc); err != nil {
		return storage.SavedScorecard{}, err
	}
	if err := ctx.Err(); err != nil {
		return storage.SavedScorecard{}, s.translate("SaveScorecard", err)
	}
	sc.SavedAt = s.now().UTC().Truncate(time.Microsecond)
	var conflict error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var latest int
		if err := tx.QueryRowContext(ctx, s.dialect.rebind("SELECT COALESCE(MAX(version), 0) FROM scorecards WHERE id = ?"), sc.ID).Scan(&latest); err != nil {
			return err
		}
		if sc.Version <= latest {
			conflict = storage.ScorecardConflict(sc.ID, sc.Version, latest)
			return conflict
		}
		_, err := tx.ExecContext(ctx, s.dialect.rebind("INSERT INTO scorecards ("+scorecardColumns+") VALUES (?, ?, ?, ?, ?, ?)"),
			sc.ID, sc.Version, sc.Team, sc.Body, sc.SavedBy, s.dialect.timeArg(sc.SavedAt))
		return err
	})
	if conflict != nil {
		return storage.SavedScorecard{}, conflict
	}
	if err = s.translate("SaveScorecard", err); callaudit.KindOf(err) == callaudit.KindConflict {
		return storage.SavedScorecard{}, storage.ScorecardConflict(sc.ID, sc.Version, sc.Version)
	}
	if err != nil {
		return storage.SavedScorecard{}, err
	}
	return sc, nil
}

func scanScorecard(r rowScanner) (storage.SavedScorecard, error) {
	var (
		sc    storage.SavedScorecard
		saved timeValue
	)
	if err := r.Scan(&sc.ID, &sc.Version, &sc.Team, &sc.Body, &sc.SavedBy, &saved); err != nil {
		return storage.SavedScorecard{}, err
	}
	sc.SavedAt = saved.t
	return sc, nil
}

// Scorecard returns one version of a scorecard, the latest for 0.
func (s *Store) Scorecard(ctx context.Context, id string, version int) (storage.SavedScorecard, error) {
	if err := ctx.Err(); err != nil {
		return storage.SavedScorecard{}, s.translate("Scorecard", err)
	}
	q, args := "SELECT "+scorecardColumns+" FROM scorecards WHERE id = ? ORDER BY version DESC LIMIT 1", []any{id}
	if version != 0 {
		q, args = "SELECT "+scorecardColumns+" FROM scorecards WHERE id = ? AND version = ?", []any{id, version}
	}
	sc, err := scanScorecard(s.read.QueryRowContext(ctx, s.dialect.rebind(q), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return storage.SavedScorecard{}, storage.ScorecardNotFound(id, version)
	}
	return sc, s.translate("Scorecard", err)
}

// ScorecardVersions lists every version of a scorecard, oldest first.
func (s *Store) ScorecardVersions(ctx context.Context, id string) ([]storage.SavedScorecard, error) {
	out, err := s.queryScorecards(ctx, "ScorecardVersions", "SELECT "+scorecardColumns+" FROM scorecards WHERE id = ? ORDER BY version", id)
	if err == nil && len(out) == 0 {
		return nil, storage.ScorecardNotFound(id, 0)
	}
	return out, err
}

// Scorecards lists the latest version of every scorecard, by id.
func (s *Store) Scorecards(ctx context.Context) ([]storage.SavedScorecard, error) {
	out, err := s.queryScorecards(ctx, "Scorecards", "SELECT "+scorecardColumns+" FROM scorecards s WHERE version = "+
		"(SELECT MAX(version) FROM scorecards l WHERE l.id = s.id) ORDER BY id")
	if out == nil && err == nil {
		out = []storage.SavedScorecard{}
	}
	return out, err
}

func (s *Store) queryScorecards(ctx context.Context, op, q string, args ...any) ([]storage.SavedScorecard, error) {
	if err := ctx.Err(); err != nil {
		return nil, s.translate(op, err)
	}
	rows, err := s.read.QueryContext(ctx, s.dialect.rebind(q), args...)
	if err != nil {
		return nil, s.translate(op, err)
	}
	defer rows.Close()
	var out []storage.SavedScorecard
	for rows.Next() {
		sc, err := scanScorecard(rows)
		if err != nil {
			return nil, s.translate(op, err)
		}
		out = append(out, sc)
	}
	return out, s.translate(op, rows.Err())
}
