package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migration is one embedded schema change, from a file named
// NNNN_name.sql; versions are applied in order, each in its own
// transaction, and recorded in callaudit_migrations.
type migration struct {
	version int
	name    string
	sql     string
}

// migrationsTable records the applied versions. Its name is prefixed so
// that it cannot clash with another tool's table in a shared database.
const migrationsTable = "callaudit_migrations"

func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must start with a positive version and '_'", name)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(name, ".sql"), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %q and %q share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// migrate applies the migrations the database lacks. Each runs in a
// transaction that first takes the dialect's migration lock and re-reads
// the applied versions, so two processes starting together apply each
// version once.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.dialect.migrations())
	if err != nil {
		return s.translate("migrate", err)
	}
	create := "CREATE TABLE IF NOT EXISTS " + migrationsTable +
		" (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
	for _, m := range ms {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if err := s.dialect.lockMigrations(ctx, tx); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, create); err != nil {
				return err
			}
			var n int
			row := tx.QueryRowContext(ctx, s.dialect.rebind("SELECT count(*) FROM "+migrationsTable+" WHERE version = ?"), m.version)
			if err := row.Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, s.dialect.rebind("INSERT INTO "+migrationsTable+" (version, name, applied_at) VALUES (?, ?, ?)"),
				m.version, m.name, s.now().UTC().Format(timeLayout))
			return err
		})
		if err != nil {
			return s.translate("migrate", err)
		}
	}
	return nil
}

// inTx runs fn in a write transaction and commits it, or rolls it back when
// fn fails.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error that matters is fn's
		return err
	}
	return tx.Commit()
}
