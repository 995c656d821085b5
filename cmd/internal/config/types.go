package config

import (
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Bytes is a positive number of bytes.
type Bytes int64

// UnmarshalText parses a positive whole number.
func (b *Bytes) UnmarshalText(text []byte) error {
	n, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil || n <= 0 {
		return errors.New("must be a positive number of bytes")
	}
	*b = Bytes(n)
	return nil
}

// List is a comma-separated list; items are trimmed and empty ones dropped.
type List []string

// UnmarshalText splits the list.
func (l *List) UnmarshalText(text []byte) error {
	*l = nil
	for _, item := range strings.Split(string(text), ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// LogLevel is a slog level: debug, info, warn or error.
type LogLevel slog.Level

// UnmarshalText parses the level as slog does, with the server's message.
func (l *LogLevel) UnmarshalText(text []byte) error {
	var lv slog.Level
	if err := lv.UnmarshalText(text); err != nil {
		return errors.New("must be debug, info, warn or error")
	}
	*l = LogLevel(lv)
	return nil
}

// LogFormat is how the server writes its log.
type LogFormat string

// The log formats.
const (
	LogText LogFormat = "text" // slog's key=value lines
	LogJSON LogFormat = "json" // one JSON object a line
)

// UnmarshalText accepts text or json in any case.
func (f *LogFormat) UnmarshalText(text []byte) error {
	switch v := LogFormat(strings.ToLower(string(text))); v {
	case LogText, LogJSON:
		*f = v
		return nil
	}
	return errors.New("must be text or json")
}

// Channel is the channel of a stereo recording the manager speaks on.
type Channel string

// The stereo channels; the zero Channel transcribes stereo recordings as
// they are.
// ChannelAuto splits the channels without saying which is the manager's:
// the roles are decided from what each side says.
const (
	ChannelLeft  Channel = "left"
	ChannelRight Channel = "right"
	ChannelAuto  Channel = "auto"
)

// UnmarshalText accepts left, right or auto in any case.
func (c *Channel) UnmarshalText(text []byte) error {
	switch v := Channel(strings.ToLower(string(text))); v {
	case ChannelLeft, ChannelRight, ChannelAuto:
		*c = v
		return nil
	}
	return errors.New("must be left, right or auto")
}

// Index is the channel's index in a WAV frame: 0 for left, 1 for right,
// -1 for none; auto is audio.AutoChannel's value too, so check Split.
func (c Channel) Index() int {
	switch c {
	case ChannelLeft:
		return 0
	case ChannelRight:
		return 1
	}
	return -1
}

// Split reports whether stereo recordings are transcribed per channel.
func (c Channel) Split() bool { return c != "" }

// Redaction is the personal-data policy (AUDIT_REDACT).
type Redaction string

// Redaction policies: off sends and stores calls as they are; model masks
// personal data in what the scorer (a remote model) sees and keeps the
// stored transcript as it was; store also masks the stored transcript,
// quotes, summary and CSV.
const (
	RedactOff   Redaction = "off"
	RedactModel Redaction = "model"
	RedactStore Redaction = "store"
)

// UnmarshalText accepts off, model or store in any case.
func (r *Redaction) UnmarshalText(text []byte) error {
	switch v := Redaction(strings.ToLower(strings.TrimSpace(string(text)))); v {
	case RedactOff, RedactModel, RedactStore:
		*r = v
		return nil
	}
	return errors.New("must be off, model or store")
}

// Age is a positive length of time written in days ("365d") or as a Go
// duration ("720h").
type Age time.Duration

// UnmarshalText parses "Nd" or a Go duration.
func (a *Age) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 100*366 {
			return errors.New("must be a number of days such as 365d, or a duration such as 720h")
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		v, err := time.ParseDuration(s)
		if err != nil || v <= 0 {
			return errors.New("must be a number of days such as 365d, or a duration such as 720h")
		}
		d = v
	}
	*a = Age(d)
	return nil
}

// Temperature is a sampling temperature from 0 to 2.
type Temperature float32

// UnmarshalText parses the number and checks the range.
func (t *Temperature) UnmarshalText(text []byte) error {
	f, err := strconv.ParseFloat(string(text), 32)
	if err != nil || f < 0 || f > 2 {
		return errors.New("must be a number from 0 to 2")
	}
	*t = Temperature(f)
	return nil
}

// parsers are the messages for the built-in types, in the words the
// server has always used.
var parsers = map[string]func(string) (any, error){
	"bool": func(s string) (any, error) {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, errors.New("must be true or false")
		}
		return b, nil
	},
	"int": func(s string) (any, error) {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, errors.New("must be a whole number")
		}
		return n, nil
	},
	// A zero or negative timeout would disable the limit it configures.
	"duration": func(s string) (any, error) {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, errors.New("must be a positive duration such as 30s or 15m")
		}
		return d, nil
	},
}

// AuthMode says whether the server signs requests in.
type AuthMode string

// The auth modes.
const (
	// AuthOn: accounts when any exist; with none, local mode on a loopback
	// address and a refusal to start on any other.
	AuthOn AuthMode = "on"
	// AuthOff: no accounts, every request may do everything.
	AuthOff AuthMode = "off"
)

// UnmarshalText accepts on or off in any case.
func (m *AuthMode) UnmarshalText(text []byte) error {
	switch v := AuthMode(strings.ToLower(string(text))); v {
	case AuthOn, AuthOff:
		*m = v
		return nil
	}
	return errors.New("must be on or off")
}
