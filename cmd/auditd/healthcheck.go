package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/callaudit/callaudit/cmd/internal/config"
	"github.com/callaudit/callaudit/cmd/internal/server"
)

const healthUsage = `Usage: auditd healthcheck [-ready] [-timeout 5s]

Asks the server running with this environment (AUDIT_ADDR, also read from
./.env) for GET /healthz, or GET /readyz with -ready, and exits 0 when it
answers 200, 1 otherwise. Container images without curl (the Dockerfile's
scratch image) use it as their HEALTHCHECK.
`

// healthcheck is "auditd healthcheck": the server's own probe, so that a
// minimal image needs no shell or curl.
func healthcheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("auditd healthcheck", flag.ContinueOnError)
	ready := fs.Bool("ready", false, "")
	timeout := fs.Duration("timeout", 5*time.Second, "")
	if code, done := parseArgs(fs, args, healthUsage, "", stdout, stderr); done {
		return code
	}
	cfg, err := config.Load(".env")
	if err != nil {
		fmt.Fprintln(stderr, "auditd healthcheck: configuration:", err)
		return server.ExitConfig
	}
	url, err := probeURL(cfg.Server.Addr, *ready)
	if err != nil {
		fmt.Fprintln(stderr, "auditd healthcheck:", err)
		return server.ExitConfig
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(stderr, "auditd healthcheck:", err)
		return server.ExitConfig
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "auditd healthcheck:", err)
		return server.ExitFailed
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "auditd healthcheck: GET %s: %s %s\n", url, resp.Status, body)
		return server.ExitFailed
	}
	fmt.Fprintf(stdout, "%s\n", body)
	return server.ExitOK
}

// probeURL is the URL of /healthz (or /readyz) on a server listening on
// addr: a wildcard host is reached over loopback.
func probeURL(addr string, ready bool) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("AUDIT_ADDR %q: %w", addr, err)
	}
	if port == "0" {
		return "", fmt.Errorf("AUDIT_ADDR %q has no fixed port to check", addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	path := "/healthz"
	if ready {
		path = "/readyz"
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}
