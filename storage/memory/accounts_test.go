package memory_test

import (
	"testing"

	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/storage/storagetest"
)

func TestAccountsConformance(t *testing.T) {
	storagetest.RunAccounts(t, func(t *testing.T) storage.Accounts { return memory.New() })
}

func TestReviewsConformance(t *testing.T) {
	storagetest.RunReviews(t, func(t *testing.T) storage.ReviewStore { return memory.New() })
}
