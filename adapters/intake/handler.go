package intake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// Prefix is where the intake's routes live: a vendor's are
// Prefix + its Name() + "/...".
const Prefix = "/intake/"

// DefaultMaxBody bounds one event's body: vendors send small forms.
const DefaultMaxBody = 1 << 20

// Queue accepts the calls the intake found; adapters/queue.Queue is one.
type Queue interface {
	// AcceptCall records the call as queued (Source telephony) with the
	// job that downloads its recording (Intake.FetchRecording), audits it
	// and writes it back, in one transaction where the store allows,
	// unless the call id is known. created is false for a known call.
	AcceptCall(ctx context.Context, call Accepted) (created bool, err error)
}

// Accepted is a call the intake hands to the Queue.
type Accepted struct {
	Recording Recording
	ManagerID string
	Mode      string
	Language  string
}

// Config configures an Intake.
type Config struct {
	// Vendors are the enabled vendors, one per name.
	Vendors []Vendor
	// Events keeps the events (the store, when it is a storage.EventLog:
	// both shipped stores are); required.
	Events storage.EventLog
	// Registerer receives the intake's counters; nil registers none.
	Registerer prometheus.Registerer
	// Logger; nil is slog.Default().
	Logger *slog.Logger
	// MaxBody bounds a request's body; 0 is DefaultMaxBody.
	MaxBody int64
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Intake receives the vendors' events and downloads their recordings.
// It is safe for concurrent use.
type Intake struct {
	cfg     Config
	vendors map[string]Vendor
	log     *slog.Logger
	m       metrics
}

// New checks cfg and returns the Intake.
func New(cfg Config) (*Intake, error) {
	if cfg.Events == nil {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "intake.New: an event log is required (a store that implements storage.EventLog)")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	in := &Intake{cfg: cfg, vendors: map[string]Vendor{}, log: cfg.Logger}
	for _, v := range cfg.Vendors {
		name := v.Name()
		if name == "" || strings.ContainsAny(name, "/:") || strings.ToLower(name) != name {
			return nil, callaudit.Errorf(callaudit.KindInvalid, "intake.New: the vendor name %q must be lower case, without / or :", name)
		}
		if _, dup := in.vendors[name]; dup {
			return nil, callaudit.Errorf(callaudit.KindInvalid, "intake.New: two vendors are named %q", name)
		}
		in.vendors[name] = v
	}
	var err error
	if in.m, err = newMetrics(cfg.Registerer); err != nil {
		return nil, err
	}
	return in, nil
}

// Vendors returns the names of the enabled vendors, sorted.
func (in *Intake) Vendors() []string {
	out := make([]string, 0, len(in.vendors))
	for n := range in.vendors {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Handler serves every vendor's routes under Prefix, accepting calls into
// q. Mount it at Prefix. Requests are authenticated by the vendor's
// signature (Vendor.Receive), not by a session or a token.
func (in *Intake) Handler(q Queue) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, Prefix), "/")
		v, ok := in.vendors[name]
		if !ok || !strings.HasPrefix(r.URL.Path, Prefix) {
			httpapi.WriteError(w, callaudit.Errorf(callaudit.KindNotFound, "no telephony intake is enabled at this path"))
			return
		}
		in.serve(w, r.WithContext(context.WithValue(r.Context(), subpathKey{}, "/"+rest)), v, q)
	})
}

type subpathKey struct{}

// Subpath is the part of the request's path after Prefix and the
// vendor's name ("/events/summary" for Mango's
// /intake/mango/events/summary); "/" for none.
func Subpath(r *http.Request) string {
	s, _ := r.Context().Value(subpathKey{}).(string)
	if s == "" {
		return "/"
	}
	return s
}

// Outcomes of a request: the label of callaudit_intake_events_total.
const (
	outcomeAccepted     = "accepted"     // a new call was queued
	outcomeKept         = "kept"         // an event kept to join later
	outcomeDropped      = "dropped"      // a duplicate or an older event
	outcomeSkipped      = "skipped"      // a call with nothing to audit
	outcomeCheck        = "check"        // not an event (a connection check)
	outcomeUnauthorized = "unauthorized" // signature missing or wrong
	outcomeMalformed    = "malformed"    // a body that cannot be read
	outcomeError        = "error"        // our failure: the vendor should resend
)

func (in *Intake) serve(w http.ResponseWriter, r *http.Request, v Vendor, q Queue) {
	name := v.Name()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, in.cfg.MaxBody))
	if err != nil {
		in.m.event(name, outcomeMalformed)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			httpapi.WriteError(w, callaudit.Errorf(callaudit.KindTooLarge, "the event is larger than %d bytes", in.cfg.MaxBody))
			return
		}
		httpapi.WriteError(w, callaudit.Errorf(callaudit.KindMalformed, "the event's body could not be read"))
		return
	}
	events, err := receive(v, r, body)
	if err != nil {
		outcome := outcomeMalformed
		// KindForbidden is the same refusal where the vendor documents a
		// 403 for it (Bitrix24's application token).
		if k := callaudit.KindOf(err); k == callaudit.KindUnauthorized || k == callaudit.KindForbidden {
			outcome = outcomeUnauthorized
			in.log.Warn("intake: refused an event with a wrong signature", "vendor", name, "addr", r.RemoteAddr, "err", err)
		}
		in.m.event(name, outcome)
		httpapi.WriteError(w, err)
		return
	}
	if len(events) == 0 {
		in.m.event(name, outcomeCheck)
	}
	for _, ev := range events {
		outcome, err := in.take(r.Context(), v, ev, q)
		in.m.event(name, outcome)
		if err != nil {
			// A resend takes the events accepted already as duplicates.
			in.log.Error("intake: an event could not be taken; the vendor should send it again", "vendor", name, "kind", ev.Kind, "call_key", ev.CallKey, "err", err)
			httpapi.WriteError(w, callaudit.Wrap(err, callaudit.KindUnavailable, "intake", "the event could not be recorded; send it again later"))
			return
		}
	}
	if len(events) > 0 && events[0].Reply != nil {
		events[0].Reply(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`+"\n")
}

// BatchReceiver is implemented by vendors whose one request may carry
// several events (amoCRM's webhook lists the notes added, [note][0],
// [note][1], …): ReceiveBatch replaces Receive, with its contract, and
// each event is taken in order; the first event's Reply answers.
type BatchReceiver interface {
	ReceiveBatch(r *http.Request, body []byte) ([]Event, error)
}

// receive is v's events in one request.
func receive(v Vendor, r *http.Request, body []byte) ([]Event, error) {
	if b, ok := v.(BatchReceiver); ok {
		return b.ReceiveBatch(r, body)
	}
	ev, err := v.Receive(r, body)
	return []Event{ev}, err
}

// kept is what an event keeps in the log.
type kept struct {
	Facts     Facts  `json:"facts"`
	Recording string `json:"recording,omitempty"`
}

// take keeps ev and, when it makes a call ready, accepts the call.
func (in *Intake) take(ctx context.Context, v Vendor, ev Event, q Queue) (string, error) {
	if ev.Kind == "" {
		return outcomeCheck, nil
	}
	if ev.CallKey == "" {
		return outcomeMalformed, nil
	}
	name, set := v.Name(), v.Settings()
	data, err := json.Marshal(kept{Facts: ev.Facts, Recording: ev.Recording})
	if err != nil {
		return outcomeError, err
	}
	e := storage.IntakeEvent{Vendor: name, CallKey: ev.CallKey, Kind: ev.Kind, Seq: ev.Seq, Data: data, At: in.cfg.Now()}
	// A call is counted as skipped once: by the first event after which
	// its joined facts say there is nothing to audit.
	prior, err := in.history(ctx, name, ev.CallKey)
	if err != nil {
		return outcomeError, err
	}
	facts := prior.facts.join(ev.Facts)
	reason, already := facts.skipReason(minTalk(set)), prior.facts.skipReason(minTalk(set)) != ""
	recording := ev.Recording
	if recording == "" || reason != "" {
		fresh, err := in.cfg.Events.NoteEvent(ctx, e)
		switch {
		case err != nil:
			return outcomeError, err
		case !fresh:
			return outcomeDropped, nil
		case reason != "":
			if !already {
				in.m.skipped.WithLabelValues(name, string(reason)).Inc()
			}
			return outcomeSkipped, nil
		}
		return outcomeKept, nil
	}
	// The recording is ready. The call id, not the log, tells a resend:
	// the event is kept only once the call is accepted, so that a
	// failure here leaves nothing that would drop the vendor's retry.
	rec := Recording{Vendor: name, CallKey: ev.CallKey, ID: recording, CallID: CallID(name, ev.CallKey, facts), AcceptedAt: in.cfg.Now().UTC()}
	if len(ev.Await) > 0 && !prior.hasAny(ev.Await) {
		// Accepted now, so that the call is durable even if the awaited
		// event never comes; its job waits a while for that event's
		// facts (FetchRecording, Intake.Manager).
		rec.Await = ev.Await
	}
	created, err := q.AcceptCall(ctx, Accepted{Recording: rec, ManagerID: set.managerOf(name, facts.Employee), Mode: set.Mode, Language: set.Language})
	if err != nil {
		return outcomeError, err
	}
	if _, err := in.cfg.Events.NoteEvent(ctx, e); err != nil {
		// The call is queued; the event only joins later facts.
		in.log.Warn("intake: keeping an accepted event failed", "vendor", name, "call_key", ev.CallKey, "err", err)
	}
	if !created {
		return outcomeDropped, nil
	}
	in.log.Info("intake: call accepted", "vendor", name, "call_id", rec.CallID)
	return outcomeAccepted, nil
}

// CallID is the id in the history of the vendor's call key: "<vendor>-<key>",
// after the CRM record when facts name one ("deal-77:bitrix24-<key>"),
// which is where the write-back adapters (adapters/writeback/crmref) find it.
func CallID(vendor, callKey string, facts Facts) string {
	id := vendor + "-" + callKey
	if facts.CRM != nil && facts.CRM.ID != "" {
		id = facts.CRM.Type + "-" + facts.CRM.ID + ":" + id
	}
	return id
}

func minTalk(c Common) time.Duration {
	if c.MinTalk > 0 {
		return c.MinTalk
	}
	return DefaultMinTalk
}

// history is what a call's kept events say.
type history struct {
	// facts are theirs joined, oldest first.
	facts Facts
	kinds map[string]bool
}

// hasAny reports whether an event of one of kinds is kept.
func (h history) hasAny(kinds []string) bool {
	return slices.ContainsFunc(kinds, func(k string) bool { return h.kinds[k] })
}

// history reads a call's kept events.
func (in *Intake) history(ctx context.Context, vendor, callKey string) (history, error) {
	events, err := in.cfg.Events.CallEvents(ctx, vendor, callKey)
	if err != nil {
		return history{}, err
	}
	h := history{kinds: map[string]bool{}}
	for _, e := range events {
		var k kept
		if err := json.Unmarshal(e.Data, &k); err != nil {
			return history{}, callaudit.Wrap(err, callaudit.KindInternal, "intake.history", "a kept event cannot be read")
		}
		h.facts = h.facts.join(k.Facts)
		h.kinds[e.Kind] = true
	}
	return h, nil
}

// Manager is the manager_id that a call's kept events name now. A call
// accepted before an event it awaited (Recording.Await) learns its
// employee only from that event; its job asks here once the recording
// is downloaded.
func (in *Intake) Manager(ctx context.Context, rec Recording) (string, error) {
	v, ok := in.vendors[rec.Vendor]
	if !ok {
		return "", callaudit.Errorf(callaudit.KindNotConfigured, "the telephony intake %q is no longer enabled", rec.Vendor)
	}
	h, err := in.history(ctx, rec.Vendor, rec.CallKey)
	if err != nil {
		return "", err
	}
	return v.Settings().managerOf(rec.Vendor, h.facts.Employee), nil
}

// skipped is FetchRecording's error for a call found to have nothing to
// audit after it was accepted (an event that said so came late).
type skipped struct{ reason Reason }

func (e *skipped) Error() string { return "skipped: " + string(e.reason) }

// Skipped is Vendor.Fetch's error for a call its vendor's API, asked only
// when fetching, says has nothing to audit (a missed call): the call is
// not audited and reason is counted.
func Skipped(reason Reason) error { return &skipped{reason} }

// IsSkipped reports whether err is FetchRecording's for a call with
// nothing to audit, and why.
func IsSkipped(err error) (Reason, bool) {
	var s *skipped
	if errors.As(err, &s) {
		return s.reason, true
	}
	return "", false
}

// FetchRecording downloads an accepted call's recording for its job: the
// vendor's Fetch, after checking that the events kept since do not say
// the call had nothing to audit (IsSkipped). A recording not ready yet is
// a NotReady error whose delay is the vendor's PollDelay, or, past
// MaxWait after the event, a KindNotFound error that fails the call. A
// download the vendor refused for its rate limit (KindRateLimited) is a
// NotReady error too, after its Retry-After: a rate limit never costs an
// attempt, let alone a call.
func (in *Intake) FetchRecording(ctx context.Context, rec Recording) (transcribe.Audio, func(), error) {
	v, ok := in.vendors[rec.Vendor]
	if !ok {
		return transcribe.Audio{}, nil, callaudit.Errorf(callaudit.KindNotConfigured, "the telephony intake %q is no longer enabled", rec.Vendor)
	}
	set := v.Settings()
	h, err := in.history(ctx, rec.Vendor, rec.CallKey)
	if err != nil {
		return transcribe.Audio{}, nil, err
	}
	if reason := h.facts.skipReason(minTalk(set)); reason != "" {
		// Counted when the event that says so was kept.
		return transcribe.Audio{}, nil, &skipped{reason}
	}
	if len(rec.Await) > 0 && !h.hasAny(rec.Await) && in.cfg.Now().Sub(rec.AcceptedAt) < AwaitWait {
		return transcribe.Audio{}, nil, NotReady(AwaitDelay, "waiting for the call's "+strings.Join(rec.Await, " or ")+" event")
	}
	audio, release, err := v.Fetch(ctx, rec)
	if reason, ok := IsSkipped(err); ok {
		// The vendor's API said so only now (amoCRM's call note).
		in.m.skipped.WithLabelValues(rec.Vendor, string(reason)).Inc()
		return transcribe.Audio{}, nil, err
	}
	after, notReady := IsNotReady(err)
	if !notReady && callaudit.KindOf(err) == callaudit.KindRateLimited {
		// The vendor's limit was hit (another client of its API shares
		// it): wait as asked, without spending an attempt.
		in.m.throttled.WithLabelValues(rec.Vendor).Inc()
		return transcribe.Audio{}, nil, NotReady(max(callaudit.RetryAfterOf(err), time.Second), "the vendor's rate limit: "+callaudit.MessageOf(err))
	}
	if !notReady {
		return audio, release, err
	}
	maxWait := set.MaxWait
	if maxWait <= 0 {
		maxWait = DefaultMaxWait
	}
	if in.cfg.Now().Sub(rec.AcceptedAt) >= maxWait {
		in.m.skipped.WithLabelValues(rec.Vendor, string(ReasonNeverReady)).Inc()
		return transcribe.Audio{}, nil, callaudit.Errorf(callaudit.KindNotFound, "the recording was not ready %s after the event (%d polls): %s", maxWait, rec.Polls, err)
	}
	in.m.polls.WithLabelValues(rec.Vendor).Inc()
	if set.PollDelay > 0 {
		after = set.PollDelay
	}
	return transcribe.Audio{}, nil, NotReady(after, err.Error())
}

// metrics are the intake's counters.
type metrics struct {
	events  *prometheus.CounterVec
	skipped *prometheus.CounterVec
	polls   *prometheus.CounterVec
	// throttled counts downloads the vendor refused for its rate limit.
	throttled *prometheus.CounterVec
}

func (m metrics) event(vendor, outcome string) { m.events.WithLabelValues(vendor, outcome).Inc() }

func newMetrics(reg prometheus.Registerer) (metrics, error) {
	m := metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callaudit_intake_events_total",
			Help: "Telephony intake requests by vendor and outcome: accepted (a call queued), kept (joined later), dropped (a duplicate or older event), skipped (nothing to audit), check, unauthorized, malformed, error.",
		}, []string{"vendor", "outcome"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callaudit_intake_skipped_total",
			Help: "Telephony calls not audited, by vendor and reason: missed, too_short, not_recorded, never_ready.",
		}, []string{"vendor", "reason"}),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callaudit_intake_recording_polls_total",
			Help: "Downloads of a telephony recording that was not ready yet and is asked for again later, by vendor.",
		}, []string{"vendor"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callaudit_intake_throttled_total",
			Help: "Downloads of a telephony recording the vendor refused for its rate limit (429), asked again after its Retry-After, by vendor.",
		}, []string{"vendor"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []**prometheus.CounterVec{&m.events, &m.skipped, &m.polls, &m.throttled} {
		if err := reg.Register(*c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return m, callaudit.Wrap(err, callaudit.KindInternal, "intake.New", "the intake's metrics cannot be registered")
			}
			*c = are.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return m, nil
}
