// Command auditd is the callaudit reference server: the HTTP API and the
// web UI for auditing sales calls.
//
// With no configuration it serves on http://127.0.0.1:8000, keeps history
// in ./callaudit.db (SQLite) and scores dialogs with the offline checklist
// scorer. OPENAI_API_KEY switches scoring and speech-to-text to OpenAI;
// OPENAI_BASE_URL points them at any OpenAI-compatible server. Settings
// come from the environment and from a .env file in the working directory
// (the environment wins); cmd/internal/config declares them all and the
// README lists them with defaults ("Configuration").
//
// On a loopback address with no accounts it runs in local mode, as
// before accounts existed; on any other address it needs an account
// first (callaudit user add --admin NAME, or AUDIT_ADMIN_PASSWORD) and
// refuses to start without one (README, "Accounts and access").
//
// SIGINT or SIGTERM stops accepting connections and lets requests in
// flight finish (AUDIT_SHUTDOWN_TIMEOUT).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/callaudit/callaudit/cmd/internal/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Usage: auditd [-h]

Runs the callaudit reference server: the web UI, the HTTP API and the
webhooks, on http://127.0.0.1:8000 by default, until SIGINT or SIGTERM.

It takes no arguments: every setting is an environment variable, also read
from ./.env (the environment wins). The README's "Configuration" section
lists them all with their defaults; for example:

  AUDIT_ADDR=0.0.0.0:8000             where to listen (needs an admin account first:
                                      callaudit user add --admin NAME, or AUDIT_ADMIN_PASSWORD)
  AUDIT_DATABASE_URL=postgres://…     history store (default ./callaudit.db)
  OPENAI_API_KEY=sk-…                 score with OpenAI and transcribe audio

Exit codes: 0 after a clean stop, 1 when the server could not start or
stop cleanly, 2 for a configuration error or bad arguments, and for a
start on a non-loopback address with no account.
`

// run parses the command line and runs the server, separated from main
// for tests.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("auditd", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the errors are printed below, once
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return server.ExitOK
		}
		fmt.Fprintf(stderr, "auditd: %v\n\n%s", err, usage)
		return server.ExitConfig
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "auditd: unexpected argument %q: auditd takes no arguments, configure it with environment variables\n\n%s", fs.Arg(0), usage)
		return server.ExitConfig
	}
	return server.Run(".env", stderr)
}
