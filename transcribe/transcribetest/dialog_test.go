package transcribetest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// TestDialogsMatchShared checks the embedded samples against the project's
// shared test data, which sits beside the repository in this project's
// workspace and CI (not in a plain clone of the module, where the check has
// nothing to compare and is skipped).
func TestDialogsMatchShared(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "testdata", "dialogs")
	entries, err := os.ReadDir(shared)
	if err != nil {
		if os.Getenv("AUDIT_TEST_REQUIRE") == "1" {
			t.Fatalf("shared test data not found at %s: %v", shared, err)
		}
		t.Skipf("no shared test data beside the module: %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		want, err := os.ReadFile(filepath.Join(shared, e.Name()))
		require.NoError(t, err)
		assert.Equal(t, string(want), transcribetest.Dialog(t, e.Name()), "embedded copy of %s differs from shared/", e.Name())
	}
	assert.ElementsMatch(t, names, transcribetest.DialogNames())
}
