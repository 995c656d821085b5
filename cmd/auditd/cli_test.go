package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBinary runs auditd in dir with args and returns its exit code,
// stdout and stderr.
func runBinary(t *testing.T, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = environ(env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// -h and --help print the usage and exit 0 without starting the server
// or creating callaudit.db.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		t.Run(arg, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := runBinary(t, dir, nil, arg)
			assert.Equal(t, 0, code, errOut)
			assert.Contains(t, out, "Usage: auditd")
			assert.Contains(t, out, `"Configuration"`, "points to the README's configuration")
			assert.Contains(t, out, "AUDIT_ADDR")
			assert.NotContains(t, errOut, "listening")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "no callaudit.db")
		})
	}
}

// A wrong command line is refused with the reason, exit 2, before
// anything starts.
func TestBadArguments(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-port", "9000"}, "flag provided but not defined: -port"},
		{[]string{"serve"}, `unexpected argument "serve"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			code, _, errOut := runBinary(t, dir, nil, tt.args...)
			assert.Equal(t, 2, code)
			assert.Equal(t, 1, strings.Count(errOut, tt.want), errOut)
			assert.Contains(t, errOut, "Usage: auditd")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing started")
		})
	}
}

// A busy port fails the start, exit 1, and is logged once.
func TestBusyPortLoggedOnce(t *testing.T) {
	first := start(t, t.TempDir())
	addr := strings.TrimPrefix(first.base, "http://")
	code, _, errOut := runBinary(t, t.TempDir(), []string{"AUDIT_ADDR=" + addr, "AUDIT_LOG_FORMAT=json"})
	assert.Equal(t, 1, code, errOut)
	assert.Equal(t, 1, strings.Count(errOut, "address already in use"), "logged once:\n%s", errOut)
	assert.Contains(t, errOut, "cannot start the server")
}

// A webhook secret that is not a Standard Webhooks secret stops the start
// with what a valid one looks like; its value appears nowhere in the log.
func TestBadWebhookSecretIsExplained(t *testing.T) {
	const value = "notasecret-but-a-password"
	dir := t.TempDir()
	code, out, errOut := runBinary(t, dir, []string{"AUDIT_WEBHOOK_SECRET=" + value, "AUDIT_LOG_FORMAT=json"})
	assert.NotEqual(t, 0, code, errOut)
	assert.Contains(t, errOut, "AUDIT_WEBHOOK_SECRET")
	assert.Contains(t, errOut, "must start with whsec_ followed by the base64 of 24 to 64 random bytes")
	assert.Contains(t, errOut, "head -c 32 /dev/urandom | base64")
	assert.NotContains(t, errOut+out, value)
	assert.NotContains(t, errOut, "listening")
}
