package auditfx

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/env"
	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/audit"
)

// Defaults of the reference server's settings.
const (
	DefaultAddr              = "127.0.0.1:8000"
	DefaultDatabaseURL       = "callaudit.db"
	DefaultMaxAudioBytes     = 512 << 20
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout leaves room for a 512 MiB upload over a slow
	// office uplink (about 1 MB/s).
	DefaultReadTimeout = 15 * time.Minute
	// DefaultWriteTimeout runs from the end of the request headers, so it
	// covers the upload, the transcription and the scoring.
	DefaultWriteTimeout    = 30 * time.Minute
	DefaultIdleTimeout     = 2 * time.Minute
	DefaultShutdownTimeout = 60 * time.Second
)

// Config is the reference server's configuration. ConfigFromEnv reads it
// from environment variables; every field has a working default, so the
// zero environment serves on 127.0.0.1:8000 with SQLite and the offline
// checklist scorer.
type Config struct {
	// Addr is where the server listens (AUDIT_ADDR).
	Addr string
	// DatabaseURL is a SQLite file path or a postgres:// URL
	// (AUDIT_DATABASE_URL). It may hold a password: show it through
	// sqlstore.Redact (LogValue does).
	DatabaseURL string
	// MaxAudioBytes limits uploaded and fetched recordings
	// (AUDIT_MAX_AUDIO_BYTES).
	MaxAudioBytes int64
	// MaxBodyBytes limits JSON request bodies (AUDIT_MAX_BODY_BYTES);
	// 0 is the handler's default.
	MaxBodyBytes int64
	// MaxDialogBytes limits a text dialog (AUDIT_MAX_DIALOG_BYTES).
	MaxDialogBytes int
	// TempDir holds uploads and downloads while they are analysed
	// (AUDIT_TEMP_DIR); empty is the system's.
	TempDir string
	// HTTP server time limits (AUDIT_READ_HEADER_TIMEOUT,
	// AUDIT_READ_TIMEOUT, AUDIT_WRITE_TIMEOUT, AUDIT_IDLE_TIMEOUT).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownTimeout is how long requests in flight may take to finish
	// after SIGINT/SIGTERM (AUDIT_SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration
	// LogLevel (AUDIT_LOG_LEVEL: debug, info, warn, error) and LogFormat
	// (AUDIT_LOG_FORMAT: text or json) of the server's log on stderr.
	LogLevel  slog.Level
	LogFormat string
	// Version is reported by GET /config.
	Version string
	// Fetch configures URL downloads (AUDIT_FETCH_*).
	Fetch fetch.Config
	// OpenAI configures scoring and transcription through OpenAI or a
	// compatible server (OPENAI_*, AUDIT_SCORE_*, AUDIT_TRANSCRIBE_*).
	// Without OPENAI_API_KEY or OPENAI_BASE_URL the server scores with
	// the offline checklist and cannot transcribe.
	OpenAI openai.Config
	// StereoManagerChannel is the channel the manager speaks on in stereo
	// telephony recordings (AUDIT_STEREO_MANAGER_CHANNEL: left or right).
	// When set, two-channel WAV recordings are transcribed per channel and
	// get exact speaker roles; empty transcribes them as they are.
	StereoManagerChannel string
	// Queue configures the webhook job queue, which lives where
	// DatabaseURL says (AUDIT_QUEUE_WORKERS, AUDIT_JOB_TIMEOUT,
	// AUDIT_JOB_MAX_ATTEMPTS, AUDIT_JOB_RESCUE_AFTER).
	Queue QueueConfig
	// WebhookSecret is the Standard Webhooks secret (whsec_…) inbound
	// webhooks must be signed with (AUDIT_WEBHOOK_SECRET); empty accepts
	// unsigned ones. Never logged.
	WebhookSecret string
	// Getenv is where the write-back adapters read their settings
	// (AUDIT_CALLBACK_*, AUDIT_AMOCRM_*, AUDIT_BITRIX24_*, AUDIT_PUBLIC_URL); nil
	// is os.Getenv.
	Getenv func(string) string
}

// QueueConfig is the webhook job queue's part of Config.
type QueueConfig struct {
	// Workers is how many calls one process analyses at once.
	Workers int
	// JobTimeout bounds one attempt at a call; it must fit the longest
	// recording.
	JobTimeout time.Duration
	// MaxAttempts bounds the attempts at a call and at its delivery.
	MaxAttempts int
	// RescueAfter is when a job still running is taken for lost (its
	// process died) and run again; 0 is JobTimeout + 5 minutes.
	RescueAfter time.Duration
}

// UseOpenAI reports whether scoring and transcription go to OpenAI (or a
// compatible server).
func (c Config) UseOpenAI() bool { return c.OpenAI.Enabled() }

// ConfigFromEnv reads the configuration through getenv (nil is
// os.Getenv). Values that cannot be parsed are one KindInvalid error that
// names each variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	r := env.New(getenv)
	c := Config{
		Addr:              r.String("AUDIT_ADDR"),
		DatabaseURL:       r.String("AUDIT_DATABASE_URL"),
		TempDir:           r.String("AUDIT_TEMP_DIR"),
		LogFormat:         strings.ToLower(r.String("AUDIT_LOG_FORMAT")),
		MaxAudioBytes:     DefaultMaxAudioBytes,
		MaxDialogBytes:    audit.DefaultMaxDialogBytes,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		ShutdownTimeout:   DefaultShutdownTimeout,
		Queue: QueueConfig{
			Workers:     queue.DefaultWorkers,
			JobTimeout:  queue.DefaultJobTimeout,
			MaxAttempts: queue.DefaultMaxAttempts,
		},
		WebhookSecret:        r.String("AUDIT_WEBHOOK_SECRET"),
		StereoManagerChannel: strings.ToLower(r.String("AUDIT_STEREO_MANAGER_CHANNEL")),
		Getenv:               getenv,
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = DefaultDatabaseURL
	}
	r.Bytes("AUDIT_MAX_AUDIO_BYTES", &c.MaxAudioBytes)
	r.Bytes("AUDIT_MAX_BODY_BYTES", &c.MaxBodyBytes)
	var dialog int64 = int64(c.MaxDialogBytes)
	r.Bytes("AUDIT_MAX_DIALOG_BYTES", &dialog)
	c.MaxDialogBytes = int(dialog)
	r.Int("AUDIT_QUEUE_WORKERS", &c.Queue.Workers, 1)
	r.Int("AUDIT_JOB_MAX_ATTEMPTS", &c.Queue.MaxAttempts, 1)
	r.Duration("AUDIT_JOB_TIMEOUT", &c.Queue.JobTimeout)
	r.Duration("AUDIT_JOB_RESCUE_AFTER", &c.Queue.RescueAfter)
	r.Duration("AUDIT_READ_HEADER_TIMEOUT", &c.ReadHeaderTimeout)
	r.Duration("AUDIT_READ_TIMEOUT", &c.ReadTimeout)
	r.Duration("AUDIT_WRITE_TIMEOUT", &c.WriteTimeout)
	r.Duration("AUDIT_IDLE_TIMEOUT", &c.IdleTimeout)
	r.Duration("AUDIT_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	if v := r.String("AUDIT_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			r.Fail("AUDIT_LOG_LEVEL", "must be debug, info, warn or error")
		}
	}
	switch c.StereoManagerChannel {
	case "", "left", "right":
	default:
		r.Fail("AUDIT_STEREO_MANAGER_CHANNEL", "must be left or right")
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		r.Fail("AUDIT_LOG_FORMAT", "must be text or json")
	}
	if c.Queue.RescueAfter != 0 && c.Queue.RescueAfter < c.Queue.JobTimeout {
		r.Fail("AUDIT_JOB_RESCUE_AFTER", "must be at least AUDIT_JOB_TIMEOUT, or a running job would be run twice")
	}
	if c.WebhookSecret != "" {
		if _, err := webhooks.ParseSecret(c.WebhookSecret); err != nil {
			r.Fail("AUDIT_WEBHOOK_SECRET", callaudit.MessageOf(err))
		}
	}
	var err error
	c.Fetch, err = fetch.ConfigFromEnv(getenv)
	r.Include(err)
	c.OpenAI, err = openai.ConfigFromEnv(getenv)
	r.Include(err)
	if err := r.Err(); err != nil {
		return Config{}, err
	}
	// One limit for recordings, whether uploaded or fetched.
	if c.Fetch.MaxBytes == 0 {
		c.Fetch.MaxBytes = c.MaxAudioBytes
	}
	if c.Fetch.TempDir == "" {
		c.Fetch.TempDir = c.TempDir
	}
	return c, nil
}

// LogValue describes the configuration for the startup log, with the API
// key and database password redacted.
func (c Config) LogValue() slog.Value {
	scorer := "checklist"
	if c.UseOpenAI() {
		scorer = "openai"
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("database", sqlstore.Redact(c.DatabaseURL)),
		slog.String("scorer", scorer),
		slog.Bool("transcription", c.UseOpenAI()),
		slog.Int64("max_audio_bytes", c.MaxAudioBytes),
		slog.Int("max_dialog_bytes", c.MaxDialogBytes),
		slog.String("fetch_allow_hosts", strings.Join(c.Fetch.AllowHosts, ",")),
		slog.Bool("fetch_allow_private", c.Fetch.AllowPrivate),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.Int("queue_workers", c.Queue.Workers),
		slog.Duration("job_timeout", c.Queue.JobTimeout),
		slog.Int("job_max_attempts", c.Queue.MaxAttempts),
		slog.Bool("webhook_signatures", c.WebhookSecret != ""),
		slog.Any("openai", c.OpenAI),
	)
}

// String is the redacted description, so that printing a Config with %v
// or %+v never shows a secret.
func (c Config) String() string { return fmt.Sprint(c.LogValue()) }

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }
