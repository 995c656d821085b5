package env_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/env"
)

func lookup(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestReader reads one variable per case into a destination that starts
// at a default, to show both the parsed value and that unset, empty and
// invalid values leave the default alone.
func TestReader(t *testing.T) {
	type dst struct {
		b bool
		i int
		n int64
		d time.Duration
	}
	def := dst{b: false, i: 4, n: 100, d: time.Second}
	read := map[string]func(r *env.Reader, d *dst){
		"bool":     func(r *env.Reader, d *dst) { r.Bool("V", &d.b) },
		"int":      func(r *env.Reader, d *dst) { r.Int("V", &d.i, 1) },
		"bytes":    func(r *env.Reader, d *dst) { r.Bytes("V", &d.n) },
		"duration": func(r *env.Reader, d *dst) { r.Duration("V", &d.d) },
	}
	tests := []struct {
		name, kind, value string
		want              dst
		wantErr           bool
	}{
		{"bool unset", "bool", "", def, false},
		{"bool true", "bool", " true ", dst{b: true, i: 4, n: 100, d: time.Second}, false},
		{"bool one", "bool", "1", dst{b: true, i: 4, n: 100, d: time.Second}, false},
		{"bool maybe", "bool", "maybe", def, true},
		{"int unset", "int", "", def, false},
		{"int", "int", "12", dst{i: 12, n: 100, d: time.Second}, false},
		{"int at minimum", "int", "1", dst{i: 1, n: 100, d: time.Second}, false},
		{"int below minimum", "int", "0", def, true},
		{"int fraction", "int", "1.5", def, true},
		{"bytes", "bytes", "1048576", dst{i: 4, n: 1 << 20, d: time.Second}, false},
		{"bytes zero", "bytes", "0", def, true},
		{"bytes words", "bytes", "lots", def, true},
		{"bytes unit", "bytes", "10MB", def, true},
		{"duration", "duration", "45s", dst{i: 4, n: 100, d: 45 * time.Second}, false},
		{"duration spaces", "duration", " 15m ", dst{i: 4, n: 100, d: 15 * time.Minute}, false},
		{"duration negative", "duration", "-3s", def, true},
		{"duration zero", "duration", "0s", def, true},
		{"duration no unit", "duration", "30", def, true},
		{"duration words", "duration", "nope", def, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.New(lookup(map[string]string{"V": tt.value}))
			got := def
			read[tt.kind](r, &got)
			assert.Equal(t, tt.want, got)
			err := r.Err()
			if !tt.wantErr {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			require.Len(t, callaudit.FieldsOf(err), 1)
			assert.Equal(t, "V", callaudit.FieldsOf(err)[0].Field)
		})
	}
}

func TestErrorsDoNotEchoValues(t *testing.T) {
	const secret = "sk-s3cr3t-value"
	r := env.New(lookup(map[string]string{"V": secret}))
	var (
		b bool
		i int
		n int64
		d time.Duration
	)
	r.Bool("V", &b)
	r.Int("V", &i, 1)
	r.Bytes("V", &n)
	r.Duration("V", &d)
	err := r.Err()
	require.Len(t, callaudit.FieldsOf(err), 4)
	assert.NotContains(t, err.Error(), "s3cr3t", "a mistyped value may be a secret")
}

func TestStringAndList(t *testing.T) {
	r := env.New(lookup(map[string]string{"S": " sk-abc\r\n", "L": " a, ,b ,, c "}))
	assert.Equal(t, "sk-abc", r.String("S"))
	assert.Empty(t, r.String("MISSING"))
	assert.Equal(t, []string{"a", "b", "c"}, r.List("L"))
	assert.Empty(t, r.List("MISSING"))
	assert.NoError(t, r.Err())
}

func TestErrNamesEveryVariable(t *testing.T) {
	r := env.New(lookup(map[string]string{"A": "x", "B": "-1s", "C": "ok"}))
	var (
		n int
		d time.Duration
	)
	r.Int("A", &n, 1)
	r.Duration("B", &d)
	if r.String("C") != "fine" {
		r.Fail("C", "must be fine")
	}
	r.Include(nil)
	r.Include(callaudit.Invalid(callaudit.FieldError{Field: "D", Message: "bad"}, callaudit.FieldError{Field: "E", Message: "bad"}))
	r.Include(errors.New("opaque"))
	var names []string
	for _, f := range callaudit.FieldsOf(r.Err()) {
		names = append(names, f.Field)
	}
	assert.Equal(t, []string{"A", "B", "C", "D", "E", "environment"}, names)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(r.Err()))
}

func TestNilGetenvReadsTheProcessEnvironment(t *testing.T) {
	t.Setenv("CALLAUDIT_ENV_TEST", " value ")
	assert.Equal(t, "value", env.New(nil).String("CALLAUDIT_ENV_TEST"))
}
