// Command auditd is the callaudit reference server: the HTTP API and the
// web UI for auditing sales calls.
//
// With no configuration it serves on http://127.0.0.1:8000, keeps history
// in ./callaudit.db (SQLite) and scores dialogs with the offline checklist
// scorer. OPENAI_API_KEY switches scoring and speech-to-text to OpenAI;
// OPENAI_BASE_URL points them at any OpenAI-compatible server. Settings
// come from the environment and from a .env file in the working directory
// (the environment wins); the README lists them all with defaults ("Configuration").
//
// SIGINT or SIGTERM stops accepting connections and lets requests in
// flight finish (AUDIT_SHUTDOWN_TIMEOUT).
package main

import (
	"os"

	"github.com/callaudit/callaudit/adapters/auditfx"
)

func main() {
	os.Exit(auditfx.Main(".env", os.Stderr))
}
