package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/callaudit/callaudit/storage"
)

var (
	_ storage.Creator = (*Store)(nil)
	_ storage.Updater = (*Store)(nil)
)

// Create saves call unless a call with its ID exists. The insert skips an
// existing id (ON CONFLICT DO NOTHING, which on PostgreSQL also waits for
// a concurrent insert of the same id to commit or roll back), and the
// stored call is read back in the same transaction. On SQLite the
// transaction is BEGIN IMMEDIATE on the one write connection, so nothing
// else writes in between.
func (s *Store) Create(ctx context.Context, call storage.Call) (storage.Call, bool, error) {
	return s.CreateTx(ctx, call, nil)
}

// CreateTx is Create with the caller's own writes in the same
// transaction: once the call's row is written (or found: created is
// false), then runs with the transaction, the stored call and created,
// and the transaction commits only if then returns nil. then's error
// rolls the call back too and is returned as it is (errors.Is and
// errors.As see it). So a job queue that keeps its tables in this
// database inserts a call's job here (River's InsertTx) and the call and
// its job exist together or not at all, whatever crashes when.
//
// then must write through tx only, and quickly: on SQLite the store's one
// write connection belongs to the transaction until it ends. A nil then
// is Create.
func (s *Store) CreateTx(ctx context.Context, call storage.Call, then func(ctx context.Context, tx *sql.Tx, stored storage.Call, created bool) error) (storage.Call, bool, error) {
	r, err := s.toRow("Create", call)
	if err != nil {
		return storage.Call{}, false, err
	}
	if err := ctx.Err(); err != nil {
		return storage.Call{}, false, s.translate("Create", err)
	}
	criteriaStmt, err := s.criteriaStmt(ctx, &r)
	if err != nil {
		return storage.Call{}, false, s.translate("Create", err)
	}
	var (
		stored  storage.Call
		created bool
		thenErr error
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var kept timeValue
		err := tx.QueryRowContext(ctx, s.q.create, r.args(s.dialect)...).Scan(&kept)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// The id exists: nothing was written.
		case err != nil:
			return err
		default:
			created = true
			if err := s.replaceCriteria(ctx, tx, &r, kept.t, criteriaStmt); err != nil {
				return err
			}
		}
		if stored, err = scanCall(tx.QueryRowContext(ctx, s.q.get, call.ID)); err != nil {
			return err
		}
		if then != nil {
			thenErr = then(ctx, tx, stored, created)
		}
		return thenErr
	})
	if thenErr != nil {
		// then's own error, untranslated, so that callers can match it.
		return storage.Call{}, false, thenErr
	}
	if err != nil {
		return storage.Call{}, false, s.translate("Create", err)
	}
	return stored, created, nil
}

// Update changes the call with id through fn in one write transaction:
// the row is read with FOR UPDATE on PostgreSQL (other writers of the
// call wait until the transaction ends); on SQLite BEGIN IMMEDIATE already
// keeps every other writer out.
func (s *Store) Update(ctx context.Context, id string, fn func(*storage.Call) error) (storage.Call, error) {
	return s.update(ctx, "Update", id, func(_ *sql.Tx, c *storage.Call) error { return fn(c) })
}

// update is Update with fn given the transaction too, for changes that
// write other tables with the call (ReplaceReport keeps the old report).
// fn's error is returned as it is.
func (s *Store) update(ctx context.Context, op, id string, fn func(*sql.Tx, *storage.Call) error) (storage.Call, error) {
	if err := ctx.Err(); err != nil {
		return storage.Call{}, s.translate(op, err)
	}
	var (
		stored storage.Call
		fnErr  error
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := scanCall(tx.QueryRowContext(ctx, s.q.getForUpdate, id))
		if err != nil {
			return err
		}
		if fnErr = fn(tx, &c); fnErr != nil {
			return fnErr
		}
		if c.ID != id {
			return invalid("call_id", "cannot be changed by an update")
		}
		r, err := s.toRow(op, c)
		if err != nil {
			return err
		}
		var kept timeValue
		err = s.queryRow(ctx, tx, s.stmtOf(func(st *statements) *sql.Stmt { return st.upsert }), s.q.upsert, r.args(s.dialect)...).Scan(&kept)
		if err != nil {
			return err
		}
		// Unprepared: preparing the criteria insert needs the write
		// connection, which on SQLite is this transaction's.
		if err := s.replaceCriteria(ctx, tx, &r, kept.t, nil); err != nil {
			return err
		}
		stored, err = scanCall(tx.QueryRowContext(ctx, s.q.get, id))
		return err
	})
	if fnErr != nil {
		// fn's own error, untranslated, so that callers can match it.
		return storage.Call{}, fnErr
	}
	if err != nil {
		return storage.Call{}, s.translate(op, err)
	}
	return stored, nil
}
