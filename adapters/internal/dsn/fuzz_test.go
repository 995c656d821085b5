package dsn

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary connection strings to Parse and Redact: no
// panic, and no password (one that occurs once in the string, so that it
// cannot also be the host or the user) in Redact's output or anywhere in
// an error's chain. A keyword string is never taken for a SQLite file.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"callaudit.db", "/var/lib/a/calls.db?_pragma=busy_timeout(1)", "file:x.db?cache=shared", ":memory:", "sqlite:data/x.db",
		"postgres://audit:Secr3t-pw@db:5432/audit?sslmode=disable", "postgres://audit@db/audit?password=Secr3t-pw",
		"postgresql://db/audit?sslpassword=Secr3t-pw&password=Other-pw9", "host=db user=audit password=Secr3t-pw dbname=audit",
		"host=db password='Secr3t pw\\'x' sslmode=sometimes", "postgres://audit:Secr3t-pw@db:notaport/audit",
		"mysql://root:Secr3t-pw@db/audit", "root:Secr3t-pw@tcp(db)/audit", "C:\\data\\calls.db", "a=b", "password=", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		red := Redact(s)
		tg, err := Parse("fuzz", s)
		var pws []string
		for _, p := range secrets(s) {
			if len(p) >= 4 && strings.Count(s, p) == 1 {
				pws = append(pws, p)
			}
		}
		if err == nil && tg.Postgres != nil {
			if p := tg.Postgres.Password; len(p) >= 4 && strings.Count(s, p) == 1 {
				pws = append(pws, p)
			}
		}
		for _, p := range pws {
			if strings.Contains(red, p) {
				t.Fatalf("Redact(%q) = %q shows the password", s, red)
			}
			for e := err; e != nil; e = errors.Unwrap(e) {
				if strings.Contains(e.Error(), p) {
					t.Fatalf("Parse(%q) error %q shows the password", s, e.Error())
				}
			}
		}
		if err == nil && tg.Postgres == nil {
			if pairs, ok := keywords(strings.TrimSpace(s)); ok && len(pairs) > 0 {
				t.Fatalf("the key=value string %q was taken for the SQLite file %q", s, tg.File)
			}
		}
	})
}
