package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/joho/godotenv"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/amocrm"
	"github.com/callaudit/callaudit/adapters/writeback/bitrix24"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
)

// Load reads the configuration from the process environment over the
// .env file at dotenvPath (a missing file is fine). Every variable at
// fault is named in one KindInvalid error.
func Load(dotenvPath string) (Config, error) {
	vars, err := ReadDotEnv(dotenvPath)
	if err != nil {
		return Config{}, err
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v // the environment wins, even when it is empty
		}
	}
	return Parse(vars)
}

// ReadDotEnv reads the .env file at path; a missing file is an empty map.
// A file that cannot be parsed is an error that names the file but not
// the parser's detail, which may quote a secret.
func ReadDotEnv(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return map[string]string{}, nil
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return parseDotEnv(path, data)
}

// parseDotEnv is ReadDotEnv of the file's bytes; path names it in errors.
func parseDotEnv(path string, data []byte) (map[string]string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // editors on Windows add a BOM
	vars, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %s: want KEY=VALUE, with quotes closed", path, badLine(data))
	}
	if _, ok := vars[""]; ok {
		// godotenv takes a line without "=" for a value without a name;
		// it is a mistake (a wrapped line, a lost key), not a setting.
		return nil, fmt.Errorf("reading %s: %s: want KEY=VALUE", path, namelessLine(data))
	}
	return vars, nil
}

// namelessLine names the first line godotenv reads as a value without a
// name.
func namelessLine(data []byte) string {
	lines := strings.SplitAfter(string(data), "\n")
	for k := 1; k <= len(lines); k++ {
		if m, err := godotenv.Unmarshal(strings.Join(lines[:k], "")); err == nil {
			if _, ok := m[""]; ok {
				return "line " + strconv.Itoa(k)
			}
		}
	}
	return "a line"
}

// badLine names the line a .env file goes wrong at, and its key when it
// has one, without its value: the line after the longest start of the
// file that parses (a quoted value may span lines, so a shorter start can
// fail where the whole is fine).
func badLine(data []byte) string {
	lines := strings.SplitAfter(string(data), "\n")
	good := 0
	for k := 1; k <= len(lines); k++ {
		if _, err := godotenv.Unmarshal(strings.Join(lines[:k], "")); err == nil {
			good = k
		}
	}
	if good >= len(lines) {
		return "a line"
	}
	desc := "line " + strconv.Itoa(good+1)
	key, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(lines[good]), "export "), "=")
	if key = strings.TrimSpace(key); validKey(key) {
		desc += " (" + key + ")"
	}
	return desc
}

// validKey reports whether s can be a variable's name, so that a line
// holding only a value is never echoed as its key.
func validKey(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i, r := range s {
		if r != '_' && !(r >= 'A' && r <= 'Z') && !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9' && i > 0) {
			return false
		}
	}
	return true
}

// Parse reads the configuration from vars. Values are trimmed (a stray
// space or CR would break a key or a URL) and an empty value is unset, so
// its default stands.
func Parse(vars map[string]string) (Config, error) {
	clean := make(map[string]string, len(vars))
	for k, v := range vars {
		if v = strings.TrimSpace(v); v != "" {
			clean[k] = v
		}
	}
	var c Config
	var fields []callaudit.FieldError
	for _, s := range c.sections() {
		fields = append(fields, parseSection(s, clean)...)
	}
	fields = append(fields, c.check()...)
	if len(fields) > 0 {
		return Config{}, callaudit.Invalid(fields...)
	}
	return c, nil
}

// sections are the parts of c parsed one by one, so that a parse error's
// Go field name is unique within its part and leads back to the variable.
func (c *Config) sections() []any {
	return []any{&c.Server, &c.OpenAI, &c.Fetch, &c.Queue, &c.Callback, &c.AmoCRM, &c.Bitrix24, &c.Intake, &c.Mango, &c.Zadarma,
		&c.IntakeBitrix24, &c.IntakeAmoCRM, &c.Access, &c.Privacy, &c.Vendors}
}

var funcMap = map[reflect.Type]env.ParserFunc{
	reflect.TypeOf(false):            env.ParserFunc(parsers["bool"]),
	reflect.TypeOf(0):                env.ParserFunc(parsers["int"]),
	reflect.TypeOf(time.Duration(0)): env.ParserFunc(parsers["duration"]),
}

func parseSection(section any, vars map[string]string) []callaudit.FieldError {
	err := env.ParseWithOptions(section, env.Options{Environment: vars, FuncMap: funcMap})
	t := reflect.TypeOf(section).Elem()
	var fields []callaudit.FieldError
	var agg env.AggregateError
	if errors.As(err, &agg) {
		for _, e := range agg.Errors {
			var pe env.ParseError
			if !errors.As(e, &pe) {
				fields = append(fields, callaudit.FieldError{Field: "environment", Message: e.Error()})
				continue
			}
			sf, _ := t.FieldByName(pe.Name)
			msg := pe.Err.Error()
			if m, ok := sf.Tag.Lookup("min"); ok {
				msg = "must be a whole number of at least " + m
			}
			fields = append(fields, callaudit.FieldError{Field: envKey(sf), Message: msg})
		}
	} else if err != nil {
		fields = append(fields, callaudit.FieldError{Field: "environment", Message: err.Error()})
	}
	// Lower bounds of the parsed numbers.
	v := reflect.ValueOf(section).Elem()
	for i := range t.NumField() {
		m, ok := t.Field(i).Tag.Lookup("min")
		if !ok {
			continue
		}
		least, _ := strconv.Atoi(m)
		if v.Field(i).Int() < int64(least) && !named(fields, envKey(t.Field(i))) {
			fields = append(fields, callaudit.FieldError{Field: envKey(t.Field(i)), Message: "must be a whole number of at least " + m})
		}
	}
	return fields
}

func envKey(sf reflect.StructField) string {
	k, _, _ := strings.Cut(sf.Tag.Get("env"), ",")
	return k
}

func named(fields []callaudit.FieldError, key string) bool {
	for _, f := range fields {
		if f.Field == key {
			return true
		}
	}
	return false
}

// check makes the checks between settings and those only an adapter can
// make; adapters name their Config fields, which are renamed here to the
// variables that set them.
func (c *Config) check() []callaudit.FieldError {
	var fields []callaudit.FieldError
	fail := func(key, msg string) { fields = append(fields, callaudit.FieldError{Field: key, Message: msg}) }
	for _, v := range []struct{ key, url string }{
		{"OPENAI_BASE_URL", c.OpenAI.BaseURL},
		{"AUDIT_SCORE_BASE_URL", c.OpenAI.ScoreBaseURL},
		{"AUDIT_TRANSCRIBE_BASE_URL", c.OpenAI.TranscribeBaseURL},
	} {
		if v.key != "OPENAI_BASE_URL" && v.url == "" {
			continue
		}
		if u, err := url.Parse(v.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fail(v.key, "must be an absolute http(s) URL such as https://api.openai.com/v1")
		}
	}
	switch c.OpenAI.TranscribeFormat {
	case "", openai.FormatVerboseJSON, openai.FormatJSON, openai.FormatText, openai.FormatDiarizedJSON:
	default:
		fail("AUDIT_TRANSCRIBE_FORMAT", "must be verbose_json, json, text or diarized_json")
	}
	if a := c.Access; a.AdminPassword != "" && len([]rune(a.AdminPassword)) < access.MinPasswordLength {
		fail("AUDIT_ADMIN_PASSWORD", "must be at least 8 characters long")
	}
	for _, d := range []struct {
		key string
		d   time.Duration
	}{{"AUDIT_SESSION_IDLE", c.Access.SessionIdle}, {"AUDIT_SESSION_MAX_AGE", c.Access.SessionMaxAge}, {"AUDIT_LOGIN_REFILL", c.Access.LoginRefill}} {
		if d.d <= 0 {
			fail(d.key, "must be a positive duration")
		}
	}
	if c.Queue.RescueAfter != 0 && c.Queue.RescueAfter < c.Queue.JobTimeout {
		fail("AUDIT_JOB_RESCUE_AFTER", "must be at least AUDIT_JOB_TIMEOUT, or a running job would be run twice")
	}
	if s := c.Server.WebhookSecret; s != "" {
		if _, err := webhooks.ParseSecret(s); err != nil {
			// The field's own message: "secret: " would repeat the name.
			for _, f := range callaudit.FieldsOf(err) {
				fail("AUDIT_WEBHOOK_SECRET", f.Message)
			}
		}
	}
	fields = append(fields, c.Vendors.check()...)
	// The adapters' own checks; their constructors build nothing that
	// needs closing.
	if _, err := fetch.New(c.FetchConfig()); err != nil {
		fail("AUDIT_FETCH_ALLOW_HOSTS", callaudit.MessageOf(err))
	}
	if tc := c.TranscribeOpenAIConfig(); c.TranscriberName() == VendorOpenAI && tc.Enabled() && len(fields) == 0 {
		_, err := openai.NewTranscriber(tc)
		fields = append(fields, renamed(err, &c.OpenAI)...)
	}
	if cfg, ok := c.CallbackConfig(); ok {
		_, err := signedhook.New(cfg)
		fields = append(fields, renamed(err, &c.Callback)...)
	}
	if cfg, ok := c.AmoCRMConfig(); ok {
		_, err := amocrm.New(cfg)
		fs := renamed(err, &c.AmoCRM)
		for i := range fs {
			if fs[i].Field == "AUDIT_AMOCRM_BASE_URL" {
				fs[i].Message += " (or set AUDIT_AMOCRM_SUBDOMAIN)"
			}
		}
		fields = append(fields, fs...)
	}
	if cfg, ok := c.Bitrix24Config(); ok {
		_, err := bitrix24.New(cfg)
		fields = append(fields, renamed(err, &c.Bitrix24)...)
	}
	fields = append(fields, c.crmIntakeFields()...)
	return append(fields, c.checkIntake()...)
}

// renamed returns the fields err names, each renamed from the adapter's
// Config field to the variable of the same field in section.
func renamed(err error, section any) []callaudit.FieldError {
	if err == nil {
		return nil
	}
	fields := callaudit.FieldsOf(err)
	if len(fields) == 0 {
		return []callaudit.FieldError{{Field: "environment", Message: callaudit.MessageOf(err)}}
	}
	t := reflect.TypeOf(section).Elem()
	out := make([]callaudit.FieldError, len(fields))
	for i, f := range fields {
		out[i] = f
		if sf, ok := t.FieldByName(f.Field); ok {
			out[i].Field = envKey(sf)
		}
	}
	return out
}
