package config

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite .env.example from the configuration")

// composeOnly are the variables of .env.example that compose.yaml reads
// for itself (interpolation), not the server.
var composeOnly = []string{"POSTGRES_PASSWORD", "CALLAUDIT_VERSION", "CALLAUDIT_PORT", "CALLAUDIT_PROXY_PORT", "POSTGRES_IMAGE", "CADDY_IMAGE"}

const envExampleHeader = `# callaudit settings, for docker compose (compose.yaml) and for auditd, which
# reads ./.env too. Copy to .env and uncomment what you change; an unset or
# empty variable keeps its default. The README's "Configuration" section
# explains each. Generated from cmd/internal/config:
#   go test ./cmd/internal/config -run TestEnvExample -update
#
# In a container the server listens on 0.0.0.0, so with no account yet it
# refuses to start: uncomment AUDIT_ADMIN_PASSWORD (section Access) for the
# first start, which creates the admin, or run callaudit user add --admin.

# --- compose.yaml ---
# The PostgreSQL password (letters and digits: it goes into a URL).
POSTGRES_PASSWORD=change-me
# CALLAUDIT_VERSION=dev
# CALLAUDIT_PORT=8000
# CALLAUDIT_PROXY_PORT=8080
# POSTGRES_IMAGE=postgres:17-alpine
# CADDY_IMAGE=caddy:2-alpine
`

// setElsewhere are the variables the image and compose.yaml set for a
// container, so that .env should leave them alone there.
var setElsewhere = map[string]string{
	"AUDIT_ADDR":         "the image sets 0.0.0.0:8000",
	"AUDIT_DATABASE_URL": "compose.yaml sets the PostgreSQL URL, the image /data/callaudit.db",
}

// readmeMeaning returns the meaning column of each variable row of the
// README's configuration tables.
func readmeMeaning(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(moduleRoot, "README.md"))
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^\\| `((?:AUDIT|OPENAI)_[A-Z0-9_]+)` \\| .*? \\| (.*) \\|$")
	out := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		out[m[1]] = strings.ReplaceAll(m[2], "`", "")
	}
	return out
}

// dotenvValue quotes a default the way godotenv reads it literally.
func dotenvValue(v string) string {
	if regexp.MustCompile(`^[A-Za-z0-9._:/@-]*$`).MatchString(v) {
		return v
	}
	return "'" + v + "'"
}

// envExample is .env.example as the configuration declares it.
func envExample(t *testing.T) string {
	meaning := readmeMeaning(t)
	var b strings.Builder
	b.WriteString(envExampleHeader)
	var c Config
	for _, s := range c.sections() {
		st := reflect.TypeOf(s).Elem()
		fmt.Fprintf(&b, "\n# --- %s ---\n", st.Name())
		for i := range st.NumField() {
			sf := st.Field(i)
			key := envKey(sf)
			if m := meaning[key]; m != "" {
				fmt.Fprintf(&b, "# %s\n", m)
			}
			if note, ok := setElsewhere[key]; ok {
				fmt.Fprintf(&b, "# In a container %s.\n", note)
			}
			if doc, ok := sf.Tag.Lookup("defaultDoc"); ok {
				fmt.Fprintf(&b, "# Default: %s.\n", doc)
			}
			fmt.Fprintf(&b, "# %s=%s\n", key, dotenvValue(sf.Tag.Get("envDefault")))
		}
	}
	return b.String()
}

// TestEnvExample keeps .env.example equal to the configuration: every
// variable, once, with its default (-update rewrites it).
func TestEnvExample(t *testing.T) {
	path := filepath.Join(moduleRoot, ".env.example")
	want := envExample(t)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, string(got), "run go test ./cmd/internal/config -run TestEnvExample -update")

	// Both ways, independently of the generator: each declared variable
	// is listed once, and each listed one is declared or compose's.
	listed := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^(?:# )?([A-Z][A-Z0-9_]+)=`).FindAllStringSubmatch(string(got), -1) {
		listed[m[1]]++
	}
	vars := declared(t)
	for key := range vars {
		assert.Equal(t, 1, listed[key], "%s in .env.example", key)
	}
	for key := range listed {
		_, ok := vars[key]
		assert.True(t, ok || slices.Contains(composeOnly, key), "%s is neither a server variable nor compose.yaml's", key)
	}
}

// uncommented is .env.example with every "# NAME=value" line switched on.
func uncommented(t *testing.T) string {
	data, err := os.ReadFile(filepath.Join(moduleRoot, ".env.example"))
	require.NoError(t, err)
	return regexp.MustCompile(`(?m)^# ([A-Z][A-Z0-9_]+=)`).ReplaceAllString(string(data), "$1")
}

// Switching on every line of .env.example gives the default
// configuration: the defaults it shows are the real ones, written so
// that godotenv reads them back (quotes where needed).
func TestEnvExampleDefaultsParse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte(uncommented(t)), 0o600))
	vars, err := ReadDotEnv(path)
	require.NoError(t, err)
	got, err := Parse(vars)
	require.NoError(t, err)
	want, err := Parse(nil)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, `(?i)^(?:(?P<type>[a-z]+)[-_:])?(?P<id>[0-9]+)(?:[-_:./].*)?$`, vars["AUDIT_AMOCRM_CALL_ID_PATTERN"], "a $ stays literal")
}

// loadCompose loads compose.yaml with compose-go (which validates it
// against the compose specification's schema), in a copy of the
// repository's deployment files with .env made from dotenv.
func loadCompose(t *testing.T, dotenv string, profiles ...string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(moduleRoot, "compose.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "compose.yaml"), data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte(dotenv), 0o600))
	opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "compose.yaml")},
		cli.WithWorkingDirectory(dir), cli.WithEnvFiles(), cli.WithDotEnv, cli.WithProfiles(profiles))
	require.NoError(t, err)
	p, err := opts.LoadProject(context.Background())
	require.NoError(t, err)
	return p
}

func TestComposeFile(t *testing.T) {
	example, err := os.ReadFile(filepath.Join(moduleRoot, ".env.example"))
	require.NoError(t, err)
	composeText, err := os.ReadFile(filepath.Join(moduleRoot, "compose.yaml"))
	require.NoError(t, err)
	vars := declared(t)

	tests := []struct {
		profiles []string
		servers  []string
		others   []string
	}{
		{nil, []string{"auditd"}, []string{"postgres"}},
		{[]string{"replicas"}, []string{"auditd", "auditd-2"}, []string{"postgres", "proxy"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.profiles), func(t *testing.T) {
			// Every server setting switched on, as an operator's .env may.
			p := loadCompose(t, uncommented(t), tt.profiles...)
			assert.ElementsMatch(t, append(slices.Clone(tt.servers), tt.others...), p.ServiceNames())

			pg := p.Services["postgres"]
			require.NotNil(t, pg.HealthCheck, "PostgreSQL has a health check")
			assert.Contains(t, strings.Join(pg.HealthCheck.Test, " "), "pg_isready")
			require.Len(t, pg.Volumes, 1)
			assert.Equal(t, types.VolumeTypeVolume, pg.Volumes[0].Type, "a named volume")
			assert.Contains(t, p.Volumes, pg.Volumes[0].Source)

			for _, name := range tt.servers {
				s := p.Services[name]
				require.NotNil(t, s.Build, "%s is built from this repository", name)
				assert.Equal(t, "service_healthy", s.DependsOn["postgres"].Condition, "%s waits for PostgreSQL", name)
				env := map[string]string{}
				for k, v := range s.Environment {
					require.NotNil(t, v, "%s: %s has no value", name, k)
					env[k] = *v
					_, isServer := vars[k]
					if !isServer {
						assert.Contains(t, composeOnly, k, "%s sets %s, which the server does not read", name, k)
						assert.True(t, strings.Contains(string(composeText), "${"+k), "%s is not compose.yaml's own variable", k)
					}
				}
				assert.Equal(t, "postgres://callaudit:change-me@postgres:5432/callaudit?sslmode=disable", env["AUDIT_DATABASE_URL"])
				// The server takes the service's environment as it is.
				cfg, err := Parse(env)
				require.NoError(t, err, name)
				assert.Equal(t, env["AUDIT_DATABASE_URL"], cfg.Server.DatabaseURL)
			}
			if proxy, ok := p.Services["proxy"]; ok {
				for _, name := range tt.servers {
					assert.Equal(t, "service_healthy", proxy.DependsOn[name].Condition)
				}
				require.Len(t, proxy.Volumes, 1)
				rel, err := filepath.Rel(p.WorkingDir, proxy.Volumes[0].Source)
				require.NoError(t, err)
				assert.Equal(t, "deploy/Caddyfile", rel)
				caddy, err := os.ReadFile(filepath.Join(moduleRoot, rel))
				require.NoError(t, err)
				upstreams := regexp.MustCompile(`(?m)^\s*reverse_proxy\s+(.+?)\s*\{`).FindSubmatch(caddy)
				require.NotNil(t, upstreams, "Caddyfile has a reverse_proxy")
				var want []string
				for _, name := range tt.servers {
					want = append(want, name+":8000")
				}
				assert.ElementsMatch(t, want, strings.Fields(string(upstreams[1])), "Caddy balances over every replica")
				assert.Contains(t, string(caddy), "health_uri /readyz")
			}
		})
	}

	// Without POSTGRES_PASSWORD compose refuses to start, naming it.
	t.Run("no password", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "compose.yaml"), composeText, 0o644))
		noPassword := bytes.ReplaceAll(example, []byte("POSTGRES_PASSWORD=change-me"), nil)
		require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), noPassword, 0o600))
		opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "compose.yaml")}, cli.WithWorkingDirectory(dir), cli.WithEnvFiles(), cli.WithDotEnv)
		require.NoError(t, err)
		_, err = opts.LoadProject(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "set POSTGRES_PASSWORD in .env")
	})
}
