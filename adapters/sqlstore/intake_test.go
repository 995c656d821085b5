package sqlstore_test

import (
	"testing"

	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/storagetest"
)

func TestEventLogConformance(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			if db.name == "postgres" {
				postgresURL(t)
			}
			storagetest.RunEventLog(t, func(t *testing.T) storage.EventLog { return open(t, db.fresh(t)) })
		})
	}
}
