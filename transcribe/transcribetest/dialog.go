package transcribetest

import (
	"embed"
	"io/fs"
	"sort"
	"testing"
)

// The sample dialogs of the project's test data. They live in the module
// (dialogs/) and are embedded, so that tests run the same in a clone of the
// module, in CI and in users' own test suites. When the project workspace
// has its shared copies beside the repository, TestDialogsMatchShared keeps
// the two identical.
//
//go:embed dialogs/*.txt
var dialogs embed.FS

// Dialog returns the sample dialog name (e.g. "ru_good_crm.txt"). The test
// fails when there is no such sample, since a silently skipped fixture
// hides regressions.
func Dialog(t testing.TB, name string) string {
	t.Helper()
	b, err := dialogs.ReadFile("dialogs/" + name)
	if err != nil {
		t.Fatalf("transcribetest.Dialog: no sample dialog %q (have %v)", name, DialogNames())
	}
	return string(b)
}

// DialogNames lists the sample dialogs.
func DialogNames() []string {
	entries, _ := fs.ReadDir(dialogs, "dialogs")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}
