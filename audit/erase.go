package audit

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe/pii"
)

// Forgetter is implemented by what keeps data of a call beside the store,
// such as a job queue (adapters/queue), so that erasure reaches it.
// Forgetting a call it does not know is no error.
type Forgetter interface {
	ForgetCall(ctx context.Context, callID string) error
}

// Eraser deletes calls on request: one call by id, or every call whose
// transcript mentions a data subject's phone number or e-mail address.
// Write-back targets (a CRM that received a result) are never touched: a
// copy there must be deleted there. Each erasure is logged with the call
// ids and never with the subject's data. Use it by pointer: it counts
// what it deleted (Erased, Purged) for metrics. It is safe for concurrent
// use.
type Eraser struct {
	// Store holds the calls; it must implement storage.Deleter.
	Store storage.Store
	// Forget are told about every deleted call.
	Forget []Forgetter
	// Logger records erasures; nil is slog.Default().
	Logger *slog.Logger

	erased, purged atomic.Int64
}

// Erased counts the calls deleted on request (Delete, EraseSubject).
func (e *Eraser) Erased() int64 { return e.erased.Load() }

// Purged counts the calls deleted for their age (PurgeBefore).
func (e *Eraser) Purged() int64 { return e.purged.Load() }

func (e *Eraser) deleter() (storage.Deleter, error) {
	d, ok := e.Store.(storage.Deleter)
	if e.Store == nil || !ok {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "deleting calls needs a store that can delete (storage.Deleter), and this one cannot")
	}
	return d, nil
}

func (e *Eraser) logger() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return slog.Default()
}

// Delete erases the call with id from the store and every Forgetter.
// Errors: KindNotFound for an unknown id, the store's otherwise.
func (e *Eraser) Delete(ctx context.Context, id string) error {
	d, err := e.deleter()
	if err != nil {
		return err
	}
	if err := d.Delete(ctx, id); err != nil {
		return err
	}
	e.forget(ctx, id)
	e.erased.Add(1)
	e.logger().Info("erasure: call deleted", "call_id", id)
	return nil
}

// forget tells the Forgetters; a failure there is logged, not returned:
// the call itself is gone and what remains (a finished job row) holds no
// transcript.
func (e *Eraser) forget(ctx context.Context, id string) {
	for _, f := range e.Forget {
		if err := f.ForgetCall(ctx, id); err != nil {
			e.logger().Warn("erasure: forgetting the call's queue entries failed", "call_id", id, "err", err)
		}
	}
}

// subject is a phone number (digits, the country prefix of a Russian
// number dropped) or an e-mail address (lower case).
type subject struct {
	kind pii.Kind
	key  string
}

// parseSubject reads a phone number in any common form or an e-mail address.
func parseSubject(s string) (subject, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		f := pii.Find(s)
		if len(f) != 1 || f[0].Kind != pii.KindEmail {
			return subject{}, callaudit.Invalid(callaudit.FieldError{Field: "subject", Message: "is not an e-mail address"})
		}
		return subject{pii.KindEmail, f[0].Value}, nil
	}
	var digits []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case strings.IndexByte(" +-().", c) >= 0:
		default:
			return subject{}, callaudit.Invalid(callaudit.FieldError{Field: "subject", Message: "must be a phone number or an e-mail address"})
		}
	}
	if len(digits) < 7 || len(digits) > 15 {
		return subject{}, callaudit.Invalid(callaudit.FieldError{Field: "subject", Message: "must be a phone number of 7 to 15 digits or an e-mail address"})
	}
	return subject{pii.KindPhone, phoneKey(string(digits))}, nil
}

// phoneKey drops the prefix of a Russian number, so +7 912…, 8 912… and
// 912… are one number.
func phoneKey(d string) string {
	if len(d) == 11 && (d[0] == '7' || d[0] == '8') {
		return d[1:]
	}
	return d
}

// mentions reports whether the call's transcript holds the subject.
func (s subject) mentions(c storage.Call) bool {
	if c.Report == nil || c.Report.Transcript == nil {
		return false
	}
	for _, seg := range c.Report.Transcript.Segments {
		for _, f := range pii.Find(seg.Text) {
			if f.Kind != s.kind {
				continue
			}
			v := f.Value
			if s.kind == pii.KindPhone {
				v = phoneKey(v)
			}
			if v == s.key {
				return true
			}
		}
	}
	return false
}

// FindSubject returns the ids of the calls whose transcript mentions the
// phone number or e-mail address, in the store's listing order. It reads
// the whole history once: a data-subject request is rare, and an index of
// personal data would be one more copy of it. Transcripts stored masked
// (AUDIT_REDACT=store) hold no value to find.
//
// Errors: KindInvalid for a subject that is neither, the store's otherwise.
func (e *Eraser) FindSubject(ctx context.Context, subjectText string) ([]string, error) {
	sub, err := parseSubject(subjectText)
	if err != nil {
		return nil, err
	}
	if e.Store == nil {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "erasure needs a store")
	}
	var ids []string
	f := storage.Filter{Limit: storage.MaxLimit}
	for {
		page, err := e.Store.List(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Calls {
			if sub.mentions(c) {
				ids = append(ids, c.ID)
			}
		}
		if page.NextCursor == "" {
			return ids, nil
		}
		f.Cursor = page.NextCursor
	}
}

// EraseSubject finds the calls that mention the subject (FindSubject) and,
// unless dryRun, deletes them; it returns their ids either way. A call
// that is already gone when its turn comes is skipped.
func (e *Eraser) EraseSubject(ctx context.Context, subjectText string, dryRun bool) ([]string, error) {
	ids, err := e.FindSubject(ctx, subjectText)
	if err != nil || dryRun {
		if err == nil {
			e.logger().Info("erasure: dry run by subject", "calls", len(ids))
		}
		return ids, err
	}
	d, err := e.deleter()
	if err != nil {
		return nil, err
	}
	var done []string
	for _, id := range ids {
		if err := d.Delete(ctx, id); err != nil {
			if callaudit.KindOf(err) == callaudit.KindNotFound {
				continue
			}
			return done, err
		}
		e.forget(ctx, id)
		e.erased.Add(1)
		done = append(done, id)
	}
	e.logger().Info("erasure: calls deleted by subject", "calls", len(done), "call_ids", done)
	return done, nil
}

// DefaultPurgeBatch is how many calls one PurgeBefore transaction deletes.
const DefaultPurgeBatch = 500

// PurgeBefore deletes every call created before t, batch calls per
// transaction (DefaultPurgeBatch when batch < 1) so that the database is
// never held for long, tells the Forgetters, and returns how many went.
// On an error it returns the count so far with the error.
func (e *Eraser) PurgeBefore(ctx context.Context, t time.Time, batch int) (int, error) {
	d, err := e.deleter()
	if err != nil {
		return 0, err
	}
	if batch < 1 {
		batch = DefaultPurgeBatch
	}
	n := 0
	for {
		ids, err := d.DeleteBefore(ctx, t, batch)
		for _, id := range ids {
			e.forget(ctx, id)
		}
		n += len(ids)
		e.purged.Add(int64(len(ids)))
		if err != nil || len(ids) < batch {
			if n > 0 || err != nil {
				e.logger().Info("retention: calls deleted", "calls", n, "created_before", t.UTC(), "err", err)
			}
			return n, err
		}
	}
}
