package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
)

// TestSmoke runs the harness in a tiny configuration so that its code
// keeps working; the real measurement is run by hand (docs/benchmarks.md).
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	o, err := parseFlags([]string{"-duration", "2s", "-warmup", "500ms", "-clients", "4", "-upstream", "2", "-upload-mb", "2"}, io.Discard)
	require.NoError(t, err)
	res, err := measure(context.Background(), o, io.Discard)
	require.NoError(t, err)

	require.Len(t, res.phases, 1)
	p := res.phases[0]
	assert.Positive(t, p.ok)
	assert.Zero(t, p.failed, "statuses %v: %s", p.statuses, p.firstError)
	assert.Equal(t, 10.0, p.ideal, "2 upstream slots / 200 ms")
	assert.LessOrEqual(t, p.upstreamPeak, 2, "the server keeps to its upstream concurrency")
	assert.Positive(t, p.peakRSS)
	assert.GreaterOrEqual(t, p.p90, p.p50)
	assert.Positive(t, p.outsideP50, "time outside the scorer is measured")
	assert.Less(t, p.outsideP50, p.p50)
	assert.Positive(t, p.fakeSpans, "the fake's requests are timed")
	assert.Positive(t, p.fakeOwnP50, "the fake's own work is measured beside its delay")
	assert.Less(t, p.fakeOwnP50, p.p50-o.delay)
	assert.Positive(t, p.harnessCPU)
	assert.Greater(t, p.matched, p.ok/2, "most requests are found at the fake by their marker")
	assert.Positive(t, p.notAtFakeP50)
	assert.Positive(t, p.serverNotAtFakeP50, "the server's Server-Timing is read")
	assert.Less(t, p.serverNotAtFakeP50, p.notAtFakeP50, "the server's part excludes the client's")
	assert.Positive(t, p.clientSideP50)
	assert.Less(t, p.notAtFakeP50, p.p50-o.delay, "the time not at the fake excludes the fake's own work")

	require.NotNil(t, res.upload)
	assert.Equal(t, http.StatusOK, res.upload.status, res.upload.errText)
	assert.Positive(t, res.upload.upstreamChunks)
	assert.Positive(t, res.upload.rssAfterStart)
	// VmHWM is the larger of the high-water mark Linux records (only when
	// memory is unmapped) and the current RSS, so it can fall a little
	// when the Go runtime hands memory back: a fresh clone's run saw 44 KiB.
	const vmHWMSlack = 4 << 20
	assert.GreaterOrEqual(t, res.upload.peakRSS+vmHWMSlack, res.upload.rssAfterStart)

	var out bytes.Buffer
	res.print(&out)
	assert.Contains(t, out.String(), "| 4 | 2 |")
	assert.Contains(t, out.String(), "upload: 2 MB WAV → status 200")
}

func TestWriteWAV(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, writeWAV(&buf, 3_000_001))
	assert.Equal(t, 3_000_000, buf.Len(), "the size is rounded down to whole samples")
	f, ok := transcribe.SniffFormat(buf.Bytes()[:transcribe.SniffLen])
	require.True(t, ok)
	assert.Equal(t, "wav", f.Ext)
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"-upstream", "8,64"}, ""},
		{[]string{"-upstream", "8,x"}, "-upstream"},
		{[]string{"-clients", "0"}, "-clients"},
		{[]string{"-duration", "0s"}, "-duration"},
		{[]string{"-upload-mb", "-1"}, "-upload-mb"},
		{[]string{"extra"}, "unexpected"},
	}
	for _, tt := range tests {
		o, err := parseFlags(tt.args, io.Discard)
		if tt.wantErr == "" {
			require.NoError(t, err)
			assert.Equal(t, []int{8, 64}, o.upstream)
			assert.Equal(t, 64, o.clients)
			assert.Equal(t, 200*time.Millisecond, o.delay)
			continue
		}
		require.Error(t, err, tt.args)
		assert.Contains(t, err.Error(), tt.wantErr)
	}
}
