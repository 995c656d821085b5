package transcribetest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// sharedDialogs is the project workspace's shared test data beside the
// repository. It is an optional extra source: the embedded copies are the
// module's own, and a plain clone has no such folder.
var sharedDialogs = filepath.Join("..", "..", "..", "shared", "testdata", "dialogs")

// TestDialogsParse checks every embedded sample on its own, so the samples
// are exercised in any clone: each is a dialog of both roles.
func TestDialogsParse(t *testing.T) {
	names := transcribetest.DialogNames()
	require.NotEmpty(t, names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			tr := transcribe.ParseDialog(transcribetest.Dialog(t, name))
			require.GreaterOrEqual(t, len(tr.Segments), 2)
			roles := map[transcribe.Role]bool{}
			for _, s := range tr.Segments {
				assert.NotEmpty(t, s.Text)
				roles[s.Speaker] = true
			}
			assert.True(t, roles[transcribe.RoleManager], "no manager turn")
			assert.True(t, roles[transcribe.RoleClient], "no client turn")
		})
	}
}

// TestDialogsMatchShared compares the embedded samples with the shared
// originals when the workspace has them. Without the folder there is
// nothing to compare: the test logs that and passes, since the embedded
// copies are the data the other tests use.
func TestDialogsMatchShared(t *testing.T) {
	entries, err := os.ReadDir(sharedDialogs)
	if os.IsNotExist(err) {
		t.Logf("optional shared test data absent (%s): only the embedded copies are checked", sharedDialogs)
		return
	}
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		want, err := os.ReadFile(filepath.Join(sharedDialogs, e.Name()))
		require.NoError(t, err)
		assert.Equal(t, string(want), transcribetest.Dialog(t, e.Name()), "embedded copy of %s differs from shared/", e.Name())
	}
	assert.ElementsMatch(t, names, transcribetest.DialogNames())
}
