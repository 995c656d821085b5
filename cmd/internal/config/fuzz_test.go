package config

import (
	"regexp"
	"strings"
	"testing"
)

// dotEnvError is everything a .env error may say after the file name: a
// line number and a key, never a value.
var dotEnvError = regexp.MustCompile(`^reading f\.env: (line \d+( \([A-Za-z_][A-Za-z0-9_]*\))?|a line): want KEY=VALUE(, with quotes closed)?$`)

// FuzzDotEnv feeds arbitrary .env files to the parser and the result to
// Parse: no panic; an error names a line (and its key) but never quotes
// a value, which may be a secret; every variable read has a name.
func FuzzDotEnv(f *testing.F) {
	for _, s := range []string{
		"OPENAI_API_KEY=sk-test\nAUDIT_ADDR=127.0.0.1:0\n",
		"# comment\nexport AUDIT_LOG_LEVEL=debug\r\nAUDIT_FETCH_ALLOW_HOSTS=pbx.local, 10.0.0.0/8\n",
		"AUDIT_WEBHOOK_SECRET=\"whsec_abc\n", "sk-only-a-value\n", "A='multi\nline'\nB=2", "\ufeffAUDIT_MAX_BODY_BYTES=1MiB",
		"AUDIT_JOB_TIMEOUT=-5s\nAUDIT_QUEUE_WORKERS=0\n", "AUDIT_DATABASE_URL=host=db password=x\n", "=value\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vars, err := parseDotEnv("f.env", data)
		if err != nil {
			if !dotEnvError.MatchString(err.Error()) {
				t.Fatalf("error %q says more than the line and its key", err.Error())
			}
			return
		}
		for k := range vars {
			if strings.TrimSpace(k) == "" {
				t.Fatalf("a variable without a name: %q", vars)
			}
		}
		_, _ = Parse(vars) // must not panic, whatever the values
	})
}
