package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
)

// dialog is what every load request scores: short enough for one model
// request, long enough to be a real call.
const dialog = "Менеджер: Добрый день! Меня зовут Анна, компания «ТаскФлоу». Удобно говорить?\n" +
	"Клиент: Да, пару минут есть.\n" +
	"Менеджер: Как сейчас ваши менеджеры ведут сделки?\n" +
	"Клиент: В таблицах, и часть звонков теряется.\n" +
	"Менеджер: То есть главное — не терять перезвоны, правильно понимаю?\n" +
	"Клиент: Да.\n" +
	"Менеджер: Давайте покажу на демо в четверг в 11:00?\n" +
	"Клиент: Хорошо, договорились."

// results is everything measured.
type results struct {
	opts    options
	cpus    int
	loadavg string
	phases  []phase
	upload  *upload
}

// phase is one load run against one server.
type phase struct {
	upstream      int
	ok, failed    int
	statuses      map[int]int
	firstError    string
	elapsed       time.Duration
	throughput    float64 // successful requests per second
	ideal         float64
	p50, p90, p99 time.Duration
	idealLatency  time.Duration
	addedP50      time.Duration
	// outsideP50 is the median of latency minus the report's
	// meta.timings.score_ms: the time spent outside the scorer (HTTP,
	// JSON, validation, parsing the dialog, saving), which the model's
	// speed and the upstream queue do not affect.
	outsideP50   time.Duration
	upstreamPeak int // the fake's largest number of concurrent requests
	peakRSS      int64
	served       int           // every answered request, warm-up included
	serverCPU    time.Duration // the server's CPU time over the phase
	// harnessCPU is this process's CPU time over the phase: the clients
	// and the fake OpenAI, which share the machine with the server.
	harnessCPU time.Duration
	// fakeOwnP50 is the median of the fake's time per request (first
	// byte read to last byte written) minus its configured delay: its own
	// work, part of every request's latency and of the added latency.
	fakeOwnP50 time.Duration
	fakeSpans  int
	// latencies holds the measured requests' latencies by marker id.
	latencies map[int64]time.Duration
	// notAtFakeP50 is the median, over the measured requests the fake saw,
	// of the request's latency minus that request's time at the fake:
	// what the server, the HTTP client libraries and loopback add (and,
	// with more clients than upstream slots, the wait for a slot).
	notAtFakeP50 time.Duration
	matched      int
	// serverTimes holds the server's own time per request (Server-Timing).
	serverTimes map[int64]time.Duration
	// serverNotAtFakeP50 is the median of the server's own time minus the
	// request's time at the fake: the server's handling, the OpenAI
	// client and the loopback hop to the fake (and any slot wait).
	serverNotAtFakeP50 time.Duration
	// clientSideP50 is the median of the latency minus the server's own
	// time: the harness's HTTP client and the loopback hop to the server.
	clientSideP50 time.Duration
	// start is when the clients began; measureFrom and end bound the
	// measured window.
	start, measureFrom, end time.Time
}

// upload is the large-file run.
type upload struct {
	bytes          int64
	status         int
	errText        string
	elapsed        time.Duration
	rssAfterStart  int64
	peakRSS        int64
	upstreamChunks int
}

func measure(ctx context.Context, o options, logw io.Writer) (*results, error) {
	dir, err := os.MkdirTemp("", "callaudit-loadtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := o.server
	if bin == "" {
		if bin, err = buildServer(ctx, dir); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	spans := &spanListener{Listener: ln}
	fake := openaitest.NewServer(openaitest.WithDelay(o.delay), openaitest.WithListener(spans))
	defer fake.Close()
	var serverLog io.Writer
	if o.serverLogs {
		serverLog = logw
	}
	res := &results{opts: o, cpus: runtime.NumCPU(), loadavg: loadavg()}

	for i, n := range o.upstream {
		fake.Reset()
		db := o.database
		if db == "" {
			db = filepath.Join(dir, fmt.Sprintf("load%d.db", i))
		}
		env := []string{
			"OPENAI_API_KEY=" + fake.APIKey,
			"OPENAI_BASE_URL=" + fake.URL,
			"AUDIT_OPENAI_MAX_CONCURRENCY=" + strconv.Itoa(n),
			"AUDIT_DATABASE_URL=" + db,
			"AUDIT_TEMP_DIR=" + dir,
		}
		fmt.Fprintf(logw, "load: %d clients, upstream concurrency %d, %s (+%s warm-up)\n", o.clients, n, o.duration, o.warmup)
		srv, err := startServer(ctx, bin, dir, env, serverLog)
		if err != nil {
			return nil, err
		}
		spans.take(time.Time{}, time.Time{})
		cpuBefore, _ := srv.cpuTime()
		selfBefore, _ := procCPU(os.Getpid())
		p, err := drive(ctx, srv.base, o, n)
		selfAfter, _ := procCPU(os.Getpid())
		if err == nil {
			p.upstream = n
			p.ideal = float64(min(o.clients, n)) / o.delay.Seconds()
			p.idealLatency = time.Duration(float64(o.clients) / p.ideal * float64(time.Second))
			p.addedP50 = p.p50 - p.idealLatency
			p.upstreamPeak = fake.MaxInFlight()
			p.peakRSS, _ = srv.peakRSS()
			if cpu, err := srv.cpuTime(); err == nil {
				p.serverCPU = cpu - cpuBefore
			}
			p.harnessCPU = selfAfter - selfBefore
			var own, notAtFake, serverNotAtFake []time.Duration
			for _, s := range spans.take(p.start, time.Now()) {
				if !s.end.Before(p.measureFrom) && s.end.Before(p.end) {
					own = append(own, s.duration()-o.delay)
				}
				if lat, ok := p.latencies[s.id]; ok && s.id != 0 {
					notAtFake = append(notAtFake, lat-s.duration())
					if app, ok := p.serverTimes[s.id]; ok {
						serverNotAtFake = append(serverNotAtFake, app-s.duration())
					}
				}
			}
			slices.Sort(own)
			slices.Sort(notAtFake)
			p.fakeOwnP50, p.fakeSpans = quantile(own, 0.5), len(own)
			p.notAtFakeP50, p.matched = quantile(notAtFake, 0.5), len(notAtFake)
			slices.Sort(serverNotAtFake)
			p.serverNotAtFakeP50 = quantile(serverNotAtFake, 0.5)
			res.phases = append(res.phases, p)
		}
		srv.stop()
		if err != nil {
			return nil, err
		}
	}

	if o.uploadMB > 0 {
		fake.Reset()
		size := int64(o.uploadMB) * 1_000_000
		env := []string{
			"OPENAI_API_KEY=" + fake.APIKey,
			"OPENAI_BASE_URL=" + fake.URL,
			"AUDIT_DATABASE_URL=" + filepath.Join(dir, "upload.db"),
			"AUDIT_TEMP_DIR=" + dir,
			"AUDIT_MAX_AUDIO_BYTES=" + strconv.FormatInt(size+(1<<20), 10),
		}
		fmt.Fprintf(logw, "upload: %d MB WAV to /analyze_audio_call\n", o.uploadMB)
		srv, err := startServer(ctx, bin, dir, env, serverLog)
		if err != nil {
			return nil, err
		}
		u := &upload{bytes: size}
		u.rssAfterStart, _ = srv.peakRSS()
		start := time.Now()
		u.status, u.errText = uploadWAV(ctx, srv.base, size)
		if u.status == http.StatusOK {
			u.errText = ""
		}
		u.elapsed = time.Since(start)
		u.peakRSS, _ = srv.peakRSS()
		for _, r := range fake.Requests() {
			if r.Audio != nil {
				u.upstreamChunks++
			}
		}
		srv.stop()
		res.upload = u
	}
	return res, nil
}

// drive runs the clients against base and measures the requests that end
// after the warm-up.
func drive(ctx context.Context, base string, o options, upstream int) (phase, error) {
	client := &http.Client{
		Timeout:   2 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: o.clients, MaxConnsPerHost: o.clients},
	}
	defer client.CloseIdleConnections()
	start := time.Now()
	// Staggered clients start one step apart, so that the requests that
	// hold the upstream slots spread evenly over one delay; the warm-up
	// lasts at least until the last client has started.
	var step time.Duration
	if o.stagger {
		step = o.delay / time.Duration(min(o.clients, upstream))
	}
	measureFrom := start.Add(max(o.warmup, step*time.Duration(o.clients)))
	end := measureFrom.Add(o.duration)

	var mu sync.Mutex
	p := phase{statuses: map[int]int{}, start: start, measureFrom: measureFrom, end: end, latencies: map[int64]time.Duration{}, serverTimes: map[int64]time.Duration{}}
	var latencies, outside, clientSide []time.Duration
	var wg sync.WaitGroup
	for c := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-time.After(time.Until(start.Add(step * time.Duration(c)))):
			case <-ctx.Done():
				return
			}
			for i := 0; ctx.Err() == nil && time.Now().Before(end); i++ {
				// The marker ties the request to its call at the fake.
				id := int64(c+1)*1_000_000 + int64(i)
				body, _ := json.Marshal(map[string]string{
					"dialog_text": dialog + " (#" + strconv.FormatInt(id, 10) + "#)", "content_mode": "Manager+",
					"call_id": fmt.Sprintf("load-%d-%d", c, i), "manager_id": fmt.Sprintf("m%d", c%8),
				})
				t0 := time.Now()
				status, answer, app := post(ctx, client, base+"/analyze_call", "application/json", bytes.NewReader(body))
				t1 := time.Now()
				mu.Lock()
				if status != 0 {
					p.served++
				}
				if t1.Before(measureFrom) || t1.After(end) {
					mu.Unlock()
					continue
				}
				p.statuses[status]++
				if status == http.StatusOK {
					p.ok++
					latencies = append(latencies, t1.Sub(t0))
					p.latencies[id] = t1.Sub(t0)
					if app >= 0 {
						p.serverTimes[id] = app
						clientSide = append(clientSide, t1.Sub(t0)-app)
					}
					var rep struct {
						Meta struct {
							Timings struct {
								ScoreMS int64 `json:"score_ms"`
							} `json:"timings"`
						} `json:"meta"`
					}
					if json.Unmarshal([]byte(answer), &rep) == nil {
						outside = append(outside, t1.Sub(t0)-time.Duration(rep.Meta.Timings.ScoreMS)*time.Millisecond)
					}
				} else {
					p.failed++
					if p.firstError == "" {
						p.firstError = answer
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return p, err
	}
	p.elapsed = o.duration
	if p.ok == 0 {
		return p, fmt.Errorf("no request succeeded (statuses %v): %s", p.statuses, p.firstError)
	}
	p.throughput = float64(p.ok) / o.duration.Seconds()
	slices.Sort(latencies)
	p.p50, p.p90, p.p99 = quantile(latencies, 0.5), quantile(latencies, 0.9), quantile(latencies, 0.99)
	slices.Sort(outside)
	p.outsideP50 = quantile(outside, 0.5)
	slices.Sort(clientSide)
	p.clientSideP50 = quantile(clientSide, 0.5)
	return p, nil
}

// post sends one request and returns the status (0 when none came), the
// answer (the body of a 200, else a short error text) and the server's
// own time from its Server-Timing header (-1 when absent).
func post(ctx context.Context, client *http.Client, url, contentType string, body io.Reader) (int, string, time.Duration) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return 0, err.Error(), -1
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error(), -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	app := serverTiming(resp.Header.Get("Server-Timing"))
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, strings.TrimSpace(string(b[:min(len(b), 300)])), app
	}
	return resp.StatusCode, string(b), app
}

// serverTiming reads the "app" metric of a Server-Timing header, or -1.
func serverTiming(h string) time.Duration {
	for _, m := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(m), ";")
		if name != "app" {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "dur="); ok {
				if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
					return time.Duration(ms * float64(time.Millisecond))
				}
			}
		}
	}
	return -1
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// uploadWAV posts a generated WAV of size bytes as multipart/form-data,
// written through a pipe as the request is sent, so the harness never
// holds the file either.
func uploadWAV(ctx context.Context, base string, size int64) (int, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		pw.CloseWithError(writeForm(mw, size))
	}()
	client := &http.Client{Timeout: 30 * time.Minute}
	status, answer, _ := post(ctx, client, base+"/analyze_audio_call", mw.FormDataContentType(), pr)
	return status, answer
}

func writeForm(mw *multipart.Writer, size int64) error {
	if err := mw.WriteField("content_mode", "Manager+"); err != nil {
		return err
	}
	if err := mw.WriteField("call_id", "upload-1"); err != nil {
		return err
	}
	part, err := mw.CreateFormFile("audio", "long-call.wav")
	if err != nil {
		return err
	}
	if err := writeWAV(part, size); err != nil {
		return err
	}
	return mw.Close()
}

// writeWAV writes a 16 kHz mono 16-bit PCM WAV of size bytes in total:
// a header and low-level noise, one reused buffer at a time.
func writeWAV(w io.Writer, size int64) error {
	const headerLen = 44
	data := size - headerLen
	data -= data % 2
	var h bytes.Buffer
	h.WriteString("RIFF")
	_ = binary.Write(&h, binary.LittleEndian, uint32(36+data))
	h.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(16000), uint32(32000), uint16(2), uint16(16)} {
		_ = binary.Write(&h, binary.LittleEndian, v)
	}
	h.WriteString("data")
	_ = binary.Write(&h, binary.LittleEndian, uint32(data))
	if _, err := w.Write(h.Bytes()); err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i+1 < len(buf); i += 2 {
		binary.LittleEndian.PutUint16(buf[i:], uint16(int16(rng.IntN(512)-256)))
	}
	for data > 0 {
		n := min(int64(len(buf)), data)
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		data -= n
	}
	return nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func (r *results) print(w io.Writer) {
	store := "SQLite"
	if r.opts.database != "" {
		store = "the -database store"
	}
	start := "staggered over one delay"
	if !r.opts.stagger {
		start = "all at once"
	}
	fmt.Fprintf(w, "machine: %d CPUs, load average at start %s; fake OpenAI delay %s; history in %s; clients started %s\n\n", r.cpus, r.loadavg, r.opts.delay, store, start)
	if len(r.phases) > 0 {
		fmt.Fprintf(w, "| clients | upstream | requests ok | failed | throughput (req/s) | ideal (req/s) | of ideal | p50 | p90 | p99 | ideal latency | median added | median not at the fake | of which server | of which client | median outside scoring | fake's own work p50 | upstream peak | server peak RSS | server CPU per request | harness CPU per request | CPUs busy |\n")
		fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, p := range r.phases {
			perReq, harnessPerReq := time.Duration(0), time.Duration(0)
			if p.served > 0 {
				perReq = p.serverCPU / time.Duration(p.served)
				harnessPerReq = p.harnessCPU / time.Duration(p.served)
			}
			// The requests still running at the window's end add a little
			// to the phase's wall time.
			busy := float64(p.serverCPU+p.harnessCPU) / float64(p.end.Sub(p.start)) / float64(r.cpus)
			fmt.Fprintf(w, "| %d | %d | %d | %d | %.1f | %.1f | %.1f%% | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s | %.0f%% |\n",
				r.opts.clients, p.upstream, p.ok, p.failed, p.throughput, p.ideal, 100*p.throughput/p.ideal,
				ms(p.p50), ms(p.p90), ms(p.p99), ms(p.idealLatency), ms(p.addedP50), ms(p.notAtFakeP50), ms(p.serverNotAtFakeP50), ms(p.clientSideP50), ms(p.outsideP50), ms(p.fakeOwnP50),
				p.upstreamPeak, mib(p.peakRSS), ms(perReq), ms(harnessPerReq), 100*busy)
			if p.failed > 0 {
				fmt.Fprintf(w, "\nfailures by status %v; first: %s\n", p.statuses, p.firstError)
			}
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "median not at the fake = median over requests of (latency - that request's time at the fake, delay included): the server, the client libraries, loopback, and any wait for an upstream slot;")
		fmt.Fprintln(w, "of which server = median of (the server's own time from its Server-Timing header - the request's time at the fake); of which client = median of (latency - the server's own time): the harness's client and loopback;")
		fmt.Fprintln(w, "median added = p50 - ideal latency; median outside scoring = median of (latency - meta.timings.score_ms), an upper bound: score_ms is truncated to whole ms;")
		fmt.Fprintln(w, "fake's own work = median of the fake's time per request minus its delay; harness CPU = this process (the clients and the fake); CPUs busy = server + harness CPU over the phase's wall time.")
		fmt.Fprintln(w)
	}
	if u := r.upload; u != nil {
		fmt.Fprintf(w, "upload: %s WAV → status %d in %s (%.1f MB/s); server peak RSS %s (%s after start); %d speech-to-text requests upstream\n",
			mb(u.bytes), u.status, u.elapsed.Round(time.Millisecond), float64(u.bytes)/1e6/u.elapsed.Seconds(), mib(u.peakRSS), mib(u.rssAfterStart), u.upstreamChunks)
		if u.errText != "" {
			fmt.Fprintf(w, "upload answer: %s\n", u.errText)
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
func mib(n int64) string        { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
func mb(n int64) string         { return fmt.Sprintf("%d MB", n/1_000_000) }
