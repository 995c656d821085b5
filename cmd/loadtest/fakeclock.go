package main

import (
	"net"
	"sync"
	"time"
)

// spanListener wraps the fake OpenAI's listener and times every request
// it serves, from the moment its first bytes are read to the moment the
// last bytes of its answer are written. Minus the configured delay that
// is the fake's own work (reading and checking the request, generating
// an answer that fits the schema, encoding it), which shares the CPUs with
// the server and so is reported apart from the server's added latency.
//
// It relies on HTTP/1.1 answering a connection's requests in order: a
// read after a write starts the next request.
type spanListener struct {
	net.Listener
	mu    sync.Mutex
	spans []span
}

// span is one request as the fake saw it.
type span struct {
	start, end time.Time
}

func (l *spanListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &spanConn{Conn: c, l: l}, nil
}

// take returns the spans that ended in [from, to) and forgets all.
func (l *spanListener) take(from, to time.Time) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []time.Duration
	for _, s := range l.spans {
		if !s.end.Before(from) && s.end.Before(to) {
			out = append(out, s.end.Sub(s.start))
		}
	}
	l.spans = nil
	return out
}

func (l *spanListener) add(s span) {
	l.mu.Lock()
	l.spans = append(l.spans, s)
	l.mu.Unlock()
}

// spanConn tracks one connection's current request. net/http's
// background read (which watches for a closed connection) runs beside the
// handler's writes, hence the mutex.
type spanConn struct {
	net.Conn
	l         *spanListener
	mu        sync.Mutex
	writing   bool
	cur       span
	lastWrite time.Time
}

func (c *spanConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		now := time.Now()
		c.mu.Lock()
		switch {
		case c.cur.start.IsZero():
			c.cur.start = now
		case c.writing:
			c.l.add(span{start: c.cur.start, end: c.lastWrite})
			c.cur, c.writing = span{start: now}, false
		}
		c.mu.Unlock()
	}
	return n, err
}

// Write holds the mutex across the write: once the bytes are out the
// client may answer at once, and the read of its next request must not
// be booked before this write is.
func (c *spanConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.Conn.Write(b)
	c.writing, c.lastWrite = true, time.Now()
	return n, err
}

func (c *spanConn) Close() error {
	c.mu.Lock()
	if c.writing {
		c.l.add(span{start: c.cur.start, end: c.lastWrite})
		c.writing = false
	}
	c.mu.Unlock()
	return c.Conn.Close()
}
