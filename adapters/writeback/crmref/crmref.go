// Package crmref finds the CRM record a call belongs to. A call carries
// only its call_id, so the CRM integration that posts the webhook puts the
// record into it: "lead-4821", "deal:77:2026-03-01T12:00", or just "4821"
// for the configured default type. A Matcher reads the record back with a
// regular expression the operator may replace.
package crmref

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/note"
	"github.com/callaudit/callaudit/adapters/writeback/send"
	"github.com/callaudit/callaudit/storage"
)

// DefaultPattern matches an optional record type and a numeric id at the
// start of a call id, followed by nothing or by a separator and anything:
// "4821", "lead-4821", "Deal_77", "contact:12:abc".
const DefaultPattern = `(?i)^(?:(?P<type>[a-z]+)[-_:])?(?P<id>[0-9]+)(?:[-_:./].*)?$`

// Ref names one CRM record: a type as written in the call id, lower case
// ("lead", "deal"), and its id.
type Ref struct {
	Type string
	ID   string
}

// Matcher reads Refs from call ids. It is safe for concurrent use.
type Matcher struct {
	re       *regexp.Regexp
	typeIdx  int
	idIdx    int
	defType  string
	field    string
	allowed  map[string]bool
	typeList string
}

// NewMatcher compiles pattern (DefaultPattern when empty), which must have
// a group named id and may have one named type. defaultType is used when
// the call id names no type; allowed lists the types the receiver knows.
// field names the setting in errors (a Config field of the adapter).
func NewMatcher(pattern, defaultType string, allowed []string, field string) (*Matcher, error) {
	if pattern == "" {
		pattern = DefaultPattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: field, Message: "is not a valid regular expression: " + err.Error()})
	}
	m := &Matcher{re: re, typeIdx: re.SubexpIndex("type"), idIdx: re.SubexpIndex("id"), field: field,
		defType: strings.ToLower(defaultType), allowed: map[string]bool{}, typeList: strings.Join(allowed, ", ")}
	if m.idIdx < 0 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: field, Message: "must have a group named id, like (?P<id>[0-9]+)"})
	}
	for _, t := range allowed {
		m.allowed[t] = true
	}
	if !m.allowed[m.defType] {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: field, Message: "the default record type " + quote(defaultType) + " is not one of " + m.typeList})
	}
	return m, nil
}

// Match returns the record named by callID. A call id that does not match,
// or names a type the receiver does not know, is a KindInvalid error: the
// write-back cannot succeed on a retry.
func (m *Matcher) Match(callID string) (Ref, error) {
	sub := m.re.FindStringSubmatch(callID)
	if sub == nil || sub[m.idIdx] == "" {
		return Ref{}, callaudit.Invalid(callaudit.FieldError{Field: "call_id",
			Message: "call id " + quote(callID) + " names no CRM record; send call ids like lead-4821, or change the call id pattern"})
	}
	ref := Ref{Type: m.defType, ID: sub[m.idIdx]}
	if m.typeIdx >= 0 && sub[m.typeIdx] != "" {
		ref.Type = strings.ToLower(sub[m.typeIdx])
	}
	if !m.allowed[ref.Type] {
		return Ref{}, callaudit.Invalid(callaudit.FieldError{Field: "call_id",
			Message: "call id " + quote(callID) + " names record type " + quote(ref.Type) + "; known types: " + m.typeList})
	}
	return ref, nil
}

func quote(s string) string {
	const n = 80 // call ids come from outside; keep messages short
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return strconv.Quote(s)
}

// Target is the part every CRM adapter shares: the matcher that finds a
// call's record in its call id, the note posted about the call, and the
// client that posts it. It is safe for concurrent use.
type Target struct {
	match     *Matcher
	publicURL string
	// Client posts to the CRM.
	Client send.Client
}

// TargetConfig are the settings every CRM adapter has.
type TargetConfig struct {
	// CallIDPattern finds the record in a call id (the adapter's Config
	// field CallIDPattern, which errors name); empty is DefaultPattern.
	CallIDPattern string
	// EntityType is the record type for call ids that name none; empty is
	// DefaultType.
	EntityType, DefaultType string
	// Types are the record types the CRM knows.
	Types []string
	// PublicURL is the server's public base URL, for the link in the note.
	PublicURL string
	// HTTPClient posts; nil is send.NewHTTPClient(Timeout).
	HTTPClient *http.Client
	Timeout    time.Duration
	// Service and Secrets are send.Client's.
	Service string
	Secrets []string
}

// NewTarget checks the settings and returns the Target.
func NewTarget(cfg TargetConfig) (*Target, error) {
	entityType := cfg.EntityType
	if entityType == "" {
		entityType = cfg.DefaultType
	}
	m, err := NewMatcher(cfg.CallIDPattern, entityType, cfg.Types, "CallIDPattern")
	if err != nil {
		return nil, err
	}
	client := cfg.HTTPClient
	if client == nil {
		client = send.NewHTTPClient(cfg.Timeout)
	}
	return &Target{match: m, publicURL: cfg.PublicURL,
		Client: send.Client{HTTP: client, Service: cfg.Service, Secrets: cfg.Secrets}}, nil
}

// Note returns the record a call belongs to and the text to post there
// (note.Text, with the link to the call).
func (t *Target) Note(call storage.Call) (Ref, string, error) {
	ref, err := t.match.Match(call.ID)
	if err != nil {
		return Ref{}, "", err
	}
	return ref, note.Text(call, t.publicURL), nil
}
