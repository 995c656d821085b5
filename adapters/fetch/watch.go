package fetch

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// watchedReader counts the bytes read from a response body while a
// watchdog goroutine cancels the request when the body goes quiet for
// IdleTimeout or delivers less than MinBytesPerSecond over a
// ThroughputWindow. A per-Read deadline alone would not stop a server that
// sends one byte just before every deadline.
type watchedReader struct {
	r        io.Reader
	total    atomic.Int64
	lastRead atomic.Int64 // unix nanoseconds of the last Read that returned data
	done     chan struct{}
	stopOnce sync.Once
}

func newWatchedReader(r io.Reader, cfg Config, cancel context.CancelCauseFunc) *watchedReader {
	w := &watchedReader{r: r, done: make(chan struct{})}
	w.lastRead.Store(time.Now().UnixNano())
	tick := min(cfg.IdleTimeout, cfg.ThroughputWindow) / 4
	tick = max(tick, 5*time.Millisecond)
	go w.watch(cfg, tick, cancel)
	return w
}

func (w *watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if n > 0 {
		w.total.Add(int64(n))
		w.lastRead.Store(time.Now().UnixNano())
	}
	return n, err
}

// stop ends the watchdog; the download is over either way.
func (w *watchedReader) stop() { w.stopOnce.Do(func() { close(w.done) }) }

func (w *watchedReader) watch(cfg Config, tick time.Duration, cancel context.CancelCauseFunc) {
	t := time.NewTicker(tick)
	defer t.Stop()
	windowStart, windowBytes := time.Now(), int64(0)
	for {
		select {
		case <-w.done:
			return
		case now := <-t.C:
			if now.Sub(time.Unix(0, w.lastRead.Load())) >= cfg.IdleTimeout {
				cancel(errIdle)
				return
			}
			if cfg.MinBytesPerSecond > 0 && now.Sub(windowStart) >= cfg.ThroughputWindow {
				got := w.total.Load() - windowBytes
				want := int64(float64(cfg.MinBytesPerSecond) * now.Sub(windowStart).Seconds())
				if got < want {
					cancel(errSlow)
					return
				}
				windowStart, windowBytes = now, w.total.Load()
			}
		}
	}
}

// errTooLarge is returned by copyLimited when the source has more than the
// limit.
type errTooLarge struct{}

func (errTooLarge) Error() string { return "over the size limit" }

// writeError marks a failure of the destination rather than the source.
type writeError struct{ err error }

func (e writeError) Error() string { return "write: " + e.err.Error() }
func (e writeError) Unwrap() error { return e.err }

func isWriteError(err error) bool {
	var we writeError
	return errors.As(err, &we)
}

// copyLimited copies src to dst and fails with errTooLarge as soon as more
// than limit bytes arrive, without reading the rest.
func copyLimited(dst io.Writer, src io.Reader, limit int64) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		m, rerr := src.Read(buf)
		if m > 0 {
			if n+int64(m) > limit {
				return n, errTooLarge{}
			}
			if _, err := dst.Write(buf[:m]); err != nil {
				return n, writeError{err}
			}
			n += int64(m)
		}
		switch {
		case errors.Is(rerr, io.EOF):
			return n, nil
		case rerr != nil:
			return n, rerr
		}
	}
}
