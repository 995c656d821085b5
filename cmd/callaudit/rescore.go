package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/auditfx"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/cmd/internal/config"
	"github.com/callaudit/callaudit/cmd/internal/server"
)

const rescoreUsage = `Usage:
  callaudit rescore [--since T] [--until T] [--scorecard ID[@VERSION]] [--batch N]
  callaudit rescore --id JOB

Scores the stored calls created in [since, until) again as a background job
on the queue in the history's database, printing its progress; the earlier
reports stay readable. T is a date (YYYY-MM-DD) or an RFC 3339 time. Without
--scorecard each call gets its team's scorecard. Stopped (Ctrl-C, a crash),
the job goes on where it was at the next start of a queue on the database:
"callaudit rescore --id JOB" waits for it here.
`

func rescore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rescore", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	since := fs.String("since", "", "inclusive start (date or RFC 3339)")
	until := fs.String("until", "", "exclusive end")
	card := fs.String("scorecard", "", "ID or ID@VERSION")
	batch := fs.Int("batch", 0, "calls per batch job")
	id := fs.String("id", "", "wait for this rescore job")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, rescoreUsage)
			return exitOK
		}
		fmt.Fprintln(stderr, "callaudit rescore:", err)
		fmt.Fprint(stderr, rescoreUsage)
		return exitUsage
	}
	var req audit.RescoreRequest
	for _, v := range []struct {
		s  string
		to *time.Time
	}{{*since, &req.Since}, {*until, &req.Until}} {
		if v.s == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v.s)
		if err != nil {
			if t, err = time.Parse(time.RFC3339Nano, v.s); err != nil {
				fmt.Fprintf(stderr, "callaudit rescore: %q is not a date (YYYY-MM-DD) or an RFC 3339 time\n", v.s)
				return exitUsage
			}
		}
		*v.to = t
	}
	if name, ver, ok := strings.Cut(*card, "@"); ok {
		n, err := strconv.Atoi(ver)
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "callaudit rescore: %q: the version after @ is a whole number\n", *card)
			return exitUsage
		}
		req.Scorecard, req.ScorecardVersion = name, n
	} else {
		req.Scorecard = *card
	}
	req.BatchSize, req.By = *batch, "cli"

	cfg, err := config.Load(".env")
	if err != nil {
		fmt.Fprintln(stderr, "callaudit: configuration:", err)
		return exitUsage
	}
	pipeline, _, err := server.Pipeline(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "callaudit: configuration:", callaudit.MessageOf(err))
		return exitUsage
	}
	var (
		a    *audit.Auditor
		book *audit.Scorecards
	)
	app := fx.New(fx.NopLogger, fx.Supply(slog.New(slog.DiscardHandler)), auditfx.Store(cfg.Server.DatabaseURL), pipeline, fx.Populate(&a, &book))
	if err := app.Err(); err != nil {
		fmt.Fprintln(stderr, "callaudit: cannot open the database:", callaudit.MessageOf(err))
		return exitFail
	}
	defer func() { _ = app.Stop(context.Background()) }()
	qc := cfg.QueueConfig()
	qc.Auditor, qc.Scorecards, qc.Logger = a, book, slog.New(slog.DiscardHandler)
	q, err := queue.Open(ctx, qc)
	if err == nil {
		err = q.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(stderr, "callaudit rescore:", callaudit.MessageOf(err))
		return exitFail
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	}()
	var st audit.RescoreStatus
	if *id != "" {
		st, err = q.Rescore(ctx, *id)
	} else {
		st, err = q.StartRescore(ctx, req)
	}
	if err != nil {
		fmt.Fprintln(stderr, "callaudit rescore:", callaudit.MessageOf(err))
		return exitFail
	}
	fmt.Fprintf(stdout, "rescore %s started\n", st.ID)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for st.State == audit.RescoreRunning {
		select {
		case <-ctx.Done():
			fmt.Fprintf(stderr, "stopped; the job goes on at the next start: callaudit rescore --id %s\n", st.ID)
			return exitFail
		case <-tick.C:
		}
		if st, err = q.Rescore(ctx, st.ID); err != nil {
			fmt.Fprintln(stderr, "callaudit rescore:", callaudit.MessageOf(err))
			return exitFail
		}
		fmt.Fprintf(stdout, "%s: %d of %d done, %d failed\n", st.State, st.Done, st.Total, st.Failed)
	}
	if st.State != audit.RescoreDone {
		fmt.Fprintln(stderr, "callaudit rescore: the job failed:", st.Error)
		return exitFail
	}
	return exitOK
}
