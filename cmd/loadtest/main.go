// Command loadtest measures the reference server under load, against the
// fake OpenAI server answering after a fixed delay, all on loopback.
//
// For each upstream concurrency given with -upstream it starts a fresh
// auditd (a subprocess, so its memory can be read from /proc) with
// AUDIT_OPENAI_MAX_CONCURRENCY set, drives POST /analyze_call with
// -clients concurrent clients for -duration and reports the throughput
// against the ideal (min(clients, upstream) / delay) and the latency the
// server adds. Then, unless -upload-mb is 0, it starts one more server and
// uploads a generated WAV of that size to POST /analyze_audio_call,
// streamed through a pipe (never held in memory), and reports the
// server's peak resident memory (VmHWM).
//
//	go run ./cmd/loadtest -duration 20s -clients 64 -upstream 8,64 -upload-mb 200
//
// Added latency: with clients <= upstream no request queues, so the ideal
// latency is the fake's delay; with more clients than upstream slots a
// closed loop at the ideal throughput X waits clients/X per request
// (Little's law). The added latency is the measured latency minus that
// ideal.
//
// Clients start staggered (-stagger, the default): with a fixed model
// delay, clients started together stay in lockstep, and every wave of
// min(clients, upstream) requests reaches the server in the same
// millisecond and queues for its CPUs and its database writer. Independent
// callers do not synchronise like that; -stagger=false measures the burst.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the harness's flags.
type options struct {
	duration   time.Duration
	warmup     time.Duration
	clients    int
	upstream   []int
	delay      time.Duration
	uploadMB   int
	server     string // auditd binary; empty builds one
	database   string // AUDIT_DATABASE_URL for the load phases; empty is SQLite in a temp dir
	serverLogs bool
	// stagger spreads the clients' first requests over one upstream
	// delay instead of starting them all at once (see drive).
	stagger bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long each load phase runs")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "load before measuring (connections, caches)")
	fs.IntVar(&o.clients, "clients", 64, "concurrent clients")
	upstream := fs.String("upstream", "8", "comma-separated upstream concurrencies (AUDIT_OPENAI_MAX_CONCURRENCY), one load phase each")
	fs.DurationVar(&o.delay, "delay", 200*time.Millisecond, "the fake OpenAI's answer delay")
	fs.IntVar(&o.uploadMB, "upload-mb", 200, "size of the uploaded recording in MB (10^6 bytes); 0 skips the upload")
	fs.StringVar(&o.server, "server", "", "auditd binary to run; empty builds ./cmd/auditd")
	fs.StringVar(&o.database, "database", "", "AUDIT_DATABASE_URL of the load phases (e.g. a postgres:// URL); empty is a new SQLite file")
	fs.BoolVar(&o.serverLogs, "server-logs", false, "copy the servers' logs to stderr")
	fs.BoolVar(&o.stagger, "stagger", true, "spread the clients' first requests evenly over one upstream delay; false starts them all at once, so requests reach the server in bursts")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	for _, s := range strings.Split(*upstream, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return o, fmt.Errorf("-upstream: %q is not a positive integer", s)
		}
		o.upstream = append(o.upstream, n)
	}
	switch {
	case o.duration <= 0 || o.warmup < 0:
		return o, fmt.Errorf("-duration must be positive and -warmup not negative")
	case o.clients < 1 || o.clients > 1024:
		return o, fmt.Errorf("-clients must be 1..1024")
	case o.delay <= 0:
		return o, fmt.Errorf("-delay must be positive")
	case o.uploadMB < 0 || o.uploadMB > 4096:
		return o, fmt.Errorf("-upload-mb must be 0..4096")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if err != flag.ErrHelp {
			fmt.Fprintln(stderr, "loadtest:", err)
		}
		return 2
	}
	res, err := measure(ctx, o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	res.print(stdout)
	return 0
}
