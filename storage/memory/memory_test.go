package memory_test

import (
	"testing"

	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return memory.New() })
}
