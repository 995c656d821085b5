package transcribetest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dialog returns the sample dialog name (e.g. "ru_good_crm.txt") from the
// project's shared test data: the directory shared/testdata/dialogs found
// by walking up from the working directory. The test fails when the file
// cannot be found, since a silently skipped fixture hides regressions.
func Dialog(t testing.TB, name string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("transcribetest.Dialog: %v", err)
	}
	for dir := wd; ; {
		candidate := filepath.Join(dir, "shared", "testdata", "dialogs")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			b, err := os.ReadFile(filepath.Join(candidate, name))
			if err != nil {
				t.Fatalf("transcribetest.Dialog: %v", err)
			}
			return string(b)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("transcribetest.Dialog: no shared/testdata/dialogs above %s", wd)
			return ""
		}
		dir = parent
	}
}
