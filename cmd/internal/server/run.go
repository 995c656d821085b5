package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"go.uber.org/fx"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/cmd/internal/config"
)

// Exit codes of Run.
const (
	ExitOK     = 0
	ExitFailed = 1 // the server could not start, or stop cleanly
	ExitConfig = 2 // a configuration error
)

// Run runs the reference server: settings from the environment over the
// .env file at dotenvPath, logs on stderr, start, wait for SIGINT/SIGTERM,
// stop gracefully. It returns the exit code.
func Run(dotenvPath string, stderr io.Writer) int {
	cfg, err := config.Load(dotenvPath)
	if err != nil {
		fmt.Fprintln(stderr, "callaudit: configuration:", err)
		return ExitConfig
	}
	if cfg.Version == "" {
		cfg.Version = Version()
	}
	logger := NewLogger(cfg, stderr)
	opts, err := Options(cfg, logger)
	if err != nil {
		fmt.Fprintln(stderr, "callaudit: configuration:", callaudit.MessageOf(err))
		return ExitConfig
	}
	logger.Info("starting callaudit server", "version", cfg.Version, "config", cfg)

	// Catch the signals before anything starts: fx subscribes only once
	// the start hooks have run, and a SIGTERM arriving just after the
	// server logs "listening" would otherwise kill the process outright.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	app := fx.New(opts)
	if err := app.Err(); err != nil {
		var refused *BootstrapError
		if errors.As(err, &refused) {
			fmt.Fprintln(stderr, "callaudit:", refused.Error())
			return ExitConfig
		}
		logger.Error("cannot build the server", "err", err)
		return ExitFailed
	}
	startCtx, cancel := context.WithTimeout(context.Background(), app.StartTimeout())
	defer cancel()
	if err := app.Start(startCtx); err != nil {
		logger.Error("cannot start the server", "err", err)
		return ExitFailed
	}
	reason, code := "shutdown requested", ExitOK
	select {
	case s := <-signals:
		reason = s.String()
	case sig := <-app.Wait():
		if sig.Signal != nil {
			reason = sig.Signal.String()
		}
		code = sig.ExitCode
	}
	logger.Info("stopping", "signal", reason)
	stopCtx, cancelStop := context.WithTimeout(context.Background(), app.StopTimeout())
	defer cancelStop()
	if err := app.Stop(stopCtx); err != nil {
		logger.Error("stopped uncleanly", "err", err)
		return ExitFailed
	}
	logger.Info("stopped")
	return code
}

// Version is the module version the binary was built from, or the VCS
// revision for a development build, or "dev".
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}
