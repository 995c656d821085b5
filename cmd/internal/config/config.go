// Package config is the configuration of the reference server (auditd,
// and callaudit, which runs the same pieces): every environment variable
// it reads, with its default, declared once in the structs below and read
// with github.com/caarlos0/env over a .env file (github.com/joho/godotenv).
//
// The library packages read no environment: this package turns the
// variables into their plain Config structs (openai.Config, fetch.Config,
// queue.Config, …). The README's "Configuration" tables are checked
// against these structs by a test, so the two cannot drift.
//
// Tags: env is the variable, envDefault its default; defaultDoc is how
// the README states a default that is not a literal value (a computed or
// a library default), and min the least whole number allowed.
package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/callaudit/callaudit/adapters/sqlstore"
)

// Config is the reference server's configuration. Every field has a
// working default, so the zero environment serves on 127.0.0.1:8000 with
// SQLite and the offline checklist scorer.
type Config struct {
	Server   Server
	OpenAI   OpenAI
	Fetch    Fetch
	Queue    Queue
	Callback Callback
	AmoCRM   AmoCRM
	Bitrix24 Bitrix24
	Intake   Intake
	Mango    Mango
	Zadarma  Zadarma
	// The CRM telephony intakes (docs/telephony.md).
	IntakeBitrix24 IntakeBitrix24
	IntakeAmoCRM   IntakeAmoCRM
	Access         Access
	Privacy        Privacy
	Vendors        Vendors
	// Version is reported by GET /config; empty is the build's version.
	Version string `env:"-"`
}

// Server is the HTTP server, the store and the pieces' choice.
type Server struct {
	Addr string `env:"AUDIT_ADDR" envDefault:"127.0.0.1:8000"`
	// DatabaseURL is a SQLite path or a postgres:// URL; it may hold a
	// password, so it is shown only through sqlstore.Redact.
	DatabaseURL    string `env:"AUDIT_DATABASE_URL" envDefault:"callaudit.db"`
	MaxAudioBytes  Bytes  `env:"AUDIT_MAX_AUDIO_BYTES" envDefault:"536870912"`
	MaxBodyBytes   Bytes  `env:"AUDIT_MAX_BODY_BYTES" envDefault:"1048576"`
	MaxDialogBytes Bytes  `env:"AUDIT_MAX_DIALOG_BYTES" envDefault:"524288"`
	TempDir        string `env:"AUDIT_TEMP_DIR" defaultDoc:"system temp dir"`
	// ReadTimeout leaves room for a 512 MiB upload over a slow office
	// uplink (about 1 MB/s); WriteTimeout runs from the end of the request
	// headers, so it covers the upload, the transcription and the scoring.
	ReadHeaderTimeout time.Duration `env:"AUDIT_READ_HEADER_TIMEOUT" envDefault:"10s"`
	ReadTimeout       time.Duration `env:"AUDIT_READ_TIMEOUT" envDefault:"15m"`
	WriteTimeout      time.Duration `env:"AUDIT_WRITE_TIMEOUT" envDefault:"30m"`
	IdleTimeout       time.Duration `env:"AUDIT_IDLE_TIMEOUT" envDefault:"2m"`
	// JSONReadTimeout replaces ReadTimeout for the JSON routes, whose
	// bodies are small; MaxConnections caps open connections.
	JSONReadTimeout time.Duration `env:"AUDIT_JSON_READ_TIMEOUT" envDefault:"30s"`
	MaxConnections  int           `env:"AUDIT_MAX_CONNECTIONS" envDefault:"1024" min:"1"`
	// AllowedHosts are host names the server answers besides its public
	// URL's, its listen address's, the loopback names and IP addresses;
	// "*" is any. TrustedOrigins may send state-changing requests
	// cross-site from a browser.
	AllowedHosts    List          `env:"AUDIT_ALLOWED_HOSTS"`
	TrustedOrigins  List          `env:"AUDIT_TRUSTED_ORIGINS"`
	ShutdownTimeout time.Duration `env:"AUDIT_SHUTDOWN_TIMEOUT" envDefault:"60s"`
	LogLevel        LogLevel      `env:"AUDIT_LOG_LEVEL" envDefault:"info"`
	LogFormat       LogFormat     `env:"AUDIT_LOG_FORMAT" envDefault:"text"`
	// Scorer and Transcriber name the registered implementations
	// (cmd/internal/server); empty derives them from the OpenAI settings.
	Scorer      string `env:"AUDIT_SCORER" defaultDoc:"openai with OPENAI_API_KEY or OPENAI_BASE_URL, else checklist"`
	Transcriber string `env:"AUDIT_TRANSCRIBER" defaultDoc:"openai with OPENAI_API_KEY or OPENAI_BASE_URL, else none"`
	// Scorecards are scorecard files or directories of them
	// (score/scorecard); the first scorecard is the default. Empty: the
	// built-in sales scorecard.
	Scorecards List `env:"AUDIT_SCORECARD" defaultDoc:"the built-in sales scorecard"`
	// StereoManagerChannel, when set, transcribes two-channel WAV
	// recordings per channel for exact speaker roles.
	StereoManagerChannel Channel `env:"AUDIT_STEREO_MANAGER_CHANNEL"`
	// WebhookSecret is the Standard Webhooks secret inbound webhooks must
	// be signed with; empty accepts unsigned ones. Never logged.
	WebhookSecret string `env:"AUDIT_WEBHOOK_SECRET"`
	// PublicURL is the server's public base URL, for links in write-backs.
	PublicURL string `env:"AUDIT_PUBLIC_URL"`
}

// OpenAI is OpenAI or a compatible server, for scoring and transcription.
type OpenAI struct {
	APIKey              string       `env:"OPENAI_API_KEY"`
	BaseURL             string       `env:"OPENAI_BASE_URL" envDefault:"https://api.openai.com/v1"`
	OrgID               string       `env:"OPENAI_ORG_ID"`
	ScoreModel          string       `env:"AUDIT_SCORE_MODEL" envDefault:"gpt-4o-mini"`
	Temperature         *Temperature `env:"AUDIT_SCORE_TEMPERATURE" defaultDoc:"unset (model default)"`
	Seed                *int         `env:"AUDIT_SCORE_SEED"`
	MaxTranscriptTokens int          `env:"AUDIT_SCORE_MAX_TRANSCRIPT_TOKENS" envDefault:"60000" min:"500"`
	// ScoreBaseURL and ScoreAPIKey, TranscribeBaseURL and TranscribeAPIKey
	// point scoring and speech-to-text at servers of their own (a local
	// whisper or T-one server beside a hosted model); unset, they are
	// OPENAI_BASE_URL and OPENAI_API_KEY. A key falls back only together
	// with its URL: OPENAI_API_KEY is never sent to a server other than
	// OPENAI_BASE_URL's.
	ScoreBaseURL      string `env:"AUDIT_SCORE_BASE_URL" defaultDoc:"OPENAI_BASE_URL"`
	ScoreAPIKey       string `env:"AUDIT_SCORE_API_KEY" defaultDoc:"OPENAI_API_KEY when the URL is OPENAI_BASE_URL"`
	TranscribeBaseURL string `env:"AUDIT_TRANSCRIBE_BASE_URL" defaultDoc:"OPENAI_BASE_URL"`
	TranscribeAPIKey  string `env:"AUDIT_TRANSCRIBE_API_KEY" defaultDoc:"OPENAI_API_KEY when the URL is OPENAI_BASE_URL"`
	TranscribeModel   string `env:"AUDIT_TRANSCRIBE_MODEL" envDefault:"whisper-1"`
	TranscribeFormat  string `env:"AUDIT_TRANSCRIBE_FORMAT" defaultDoc:"by model"`
	TranscribePrompt  string `env:"AUDIT_TRANSCRIBE_PROMPT"`
	MaxConcurrency    int    `env:"AUDIT_OPENAI_MAX_CONCURRENCY" envDefault:"8" min:"1"`
}

// Fetch is the download of recordings by URL.
type Fetch struct {
	AllowHosts   List          `env:"AUDIT_FETCH_ALLOW_HOSTS"`
	AllowPrivate bool          `env:"AUDIT_FETCH_ALLOW_PRIVATE" envDefault:"false"`
	MaxBytes     Bytes         `env:"AUDIT_FETCH_MAX_BYTES" defaultDoc:"AUDIT_MAX_AUDIO_BYTES"`
	Timeout      time.Duration `env:"AUDIT_FETCH_TIMEOUT" envDefault:"15m"`
}

// Queue is the webhook job queue.
type Queue struct {
	Workers     int           `env:"AUDIT_QUEUE_WORKERS" envDefault:"4" min:"1"`
	JobTimeout  time.Duration `env:"AUDIT_JOB_TIMEOUT" envDefault:"30m"`
	MaxAttempts int           `env:"AUDIT_JOB_MAX_ATTEMPTS" envDefault:"8" min:"1"`
	// RescueAfter unset is the queue's default, JobTimeout +
	// queue.RescueMargin (one minute): no live attempt runs that long.
	RescueAfter time.Duration `env:"AUDIT_JOB_RESCUE_AFTER" defaultDoc:"AUDIT_JOB_TIMEOUT + 1m"`
}

// Callback is the signed callback write-back (adapters/writeback/signedhook).
type Callback struct {
	URL     string        `env:"AUDIT_CALLBACK_URL"`
	Secret  string        `env:"AUDIT_CALLBACK_SECRET"`
	Timeout time.Duration `env:"AUDIT_CALLBACK_TIMEOUT" envDefault:"30s"`
}

// AmoCRM is the amoCRM write-back (adapters/writeback/amocrm).
type AmoCRM struct {
	// BaseURL wins over Subdomain, which stands for https://{subdomain}.amocrm.ru.
	BaseURL       string        `env:"AUDIT_AMOCRM_BASE_URL"`
	Subdomain     string        `env:"AUDIT_AMOCRM_SUBDOMAIN"`
	Token         string        `env:"AUDIT_AMOCRM_TOKEN"`
	EntityType    string        `env:"AUDIT_AMOCRM_ENTITY_TYPE" envDefault:"lead"`
	CallIDPattern string        `env:"AUDIT_AMOCRM_CALL_ID_PATTERN" envDefault:"(?i)^(?:(?P<type>[a-z]+)[-_:])?(?P<id>[0-9]+)(?:[-_:./].*)?$"`
	Timeout       time.Duration `env:"AUDIT_AMOCRM_TIMEOUT" envDefault:"30s"`
}

// Bitrix24 is the Bitrix24 write-back (adapters/writeback/bitrix24).
type Bitrix24 struct {
	WebhookURL    string        `env:"AUDIT_BITRIX24_WEBHOOK_URL"`
	EntityType    string        `env:"AUDIT_BITRIX24_ENTITY_TYPE" envDefault:"deal"`
	CallIDPattern string        `env:"AUDIT_BITRIX24_CALL_ID_PATTERN" envDefault:"(?i)^(?:(?P<type>[a-z]+)[-_:])?(?P<id>[0-9]+)(?:[-_:./].*)?$"`
	Timeout       time.Duration `env:"AUDIT_BITRIX24_TIMEOUT" envDefault:"30s"`
}

// IntakeBitrix24 is the Bitrix24 telephony intake
// (adapters/intake/bitrix24): ONVOXIMPLANTCALLEND events at
// /intake/bitrix24/. The tokens are secrets.
type IntakeBitrix24 struct {
	// Tokens are member_id=application_token pairs; set, the intake is on.
	Tokens string `env:"AUDIT_INTAKE_BITRIX24_TOKENS"`
	// WebhookURL, for voximplant.statistic.get; empty is the write-back's.
	WebhookURL string `env:"AUDIT_INTAKE_BITRIX24_WEBHOOK_URL" defaultDoc:"AUDIT_BITRIX24_WEBHOOK_URL"`
	Managers   string `env:"AUDIT_INTAKE_BITRIX24_MANAGERS"`
}

// IntakeAmoCRM is the amoCRM call-note intake (adapters/intake/amocrm):
// note webhooks at /intake/amocrm/{secret}, read with the amoCRM
// write-back's account and token. The secret is a secret.
type IntakeAmoCRM struct {
	Secret   string `env:"AUDIT_INTAKE_AMOCRM_SECRET"`
	Managers string `env:"AUDIT_INTAKE_AMOCRM_MANAGERS"`
}

// Access is accounts, sessions and rate limits (package access).
type Access struct {
	// Auth "off" serves every request without accounts, as local mode
	// does, whatever the address: an explicit override, logged at start.
	Auth AuthMode `env:"AUDIT_AUTH" envDefault:"on"`
	// AdminLogin and AdminPassword create the first admin on a start with
	// no accounts. The password is never logged.
	AdminLogin    string        `env:"AUDIT_ADMIN_LOGIN" envDefault:"admin"`
	AdminPassword string        `env:"AUDIT_ADMIN_PASSWORD"`
	SessionIdle   time.Duration `env:"AUDIT_SESSION_IDLE" envDefault:"8h"`
	SessionMaxAge time.Duration `env:"AUDIT_SESSION_MAX_AGE" envDefault:"168h"`
	// Failed sign-ins allowed at once per account and per client address;
	// one more is allowed every LoginRefill.
	LoginBurstAccount int           `env:"AUDIT_LOGIN_BURST_ACCOUNT" envDefault:"5" min:"1"`
	LoginBurstAddress int           `env:"AUDIT_LOGIN_BURST_ADDRESS" envDefault:"20" min:"1"`
	LoginRefill       time.Duration `env:"AUDIT_LOGIN_REFILL" envDefault:"1m"`
	// AnalyzePerMinute limits the analyse requests of one user or token;
	// 0 is no limit. AnalyzeBurst of them may come at once.
	AnalyzePerMinute int `env:"AUDIT_ANALYZE_PER_MINUTE" envDefault:"60" min:"0"`
	AnalyzeBurst     int `env:"AUDIT_ANALYZE_BURST" envDefault:"10" min:"1"`
}

// Privacy is what happens to the personal data in calls (docs/privacy.md).
type Privacy struct {
	// Redact unset is RedactModel when the scorer is a remote model,
	// else RedactOff (see Config.Redaction).
	Redact Redaction `env:"AUDIT_REDACT" defaultDoc:"model when the scorer is a model (openai), else off"`
	// Retention unset keeps every call.
	Retention Age `env:"AUDIT_RETENTION"`
}

// Scorer and transcriber names the server knows without a registry entry.
const (
	ScorerChecklist = "checklist"
	VendorOpenAI    = "openai"
	TranscriberNone = "none"
)

// OpenAIEnabled reports whether the shared OpenAI settings
// (OPENAI_API_KEY, OPENAI_BASE_URL) can reach an API: a key, or a server
// other than api.openai.com (local servers often need none). Scoring and
// speech-to-text each have their own answer, ScoreOpenAIConfig().Enabled()
// and TranscribeOpenAIConfig().Enabled().
func (c Config) OpenAIEnabled() bool {
	if c.OpenAI.APIKey != "" {
		return true
	}
	u, err := url.Parse(c.OpenAI.BaseURL)
	return err == nil && !strings.EqualFold(u.Hostname(), "api.openai.com")
}

// ScorerName is the scorer to use: AUDIT_SCORER, else openai when OpenAI
// is configured, else the offline checklist.
func (c Config) ScorerName() string {
	switch {
	case c.Server.Scorer != "":
		return c.Server.Scorer
	case c.ScoreOpenAIConfig().Enabled():
		return VendorOpenAI
	}
	return ScorerChecklist
}

// TranscriberName is the speech-to-text vendor: AUDIT_TRANSCRIBER, else
// openai when OpenAI is configured, else none (audio is then a 503 that
// says what to set).
func (c Config) TranscriberName() string {
	switch {
	case c.Server.Transcriber != "":
		return c.Server.Transcriber
	case c.TranscribeOpenAIConfig().Enabled():
		return VendorOpenAI
	}
	return TranscriberNone
}

// Redaction is the effective AUDIT_REDACT: as set, else model when the
// scorer sends calls to a model, else off.
func (c Config) Redaction() Redaction {
	switch {
	case c.Privacy.Redact != "":
		return c.Privacy.Redact
	case c.ScorerName() != ScorerChecklist:
		return RedactModel
	}
	return RedactOff
}

// LogValue describes the configuration for the startup log, with the API
// key, the secrets and the database password redacted.
func (c Config) LogValue() slog.Value {
	s := c.Server
	return slog.GroupValue(
		slog.String("addr", s.Addr),
		slog.String("database", sqlstore.Redact(s.DatabaseURL)),
		slog.String("scorer", c.ScorerName()),
		slog.String("transcriber", c.TranscriberName()),
		slog.Bool("transcription", c.TranscriberName() != TranscriberNone),
		slog.Int64("max_audio_bytes", int64(s.MaxAudioBytes)),
		slog.Int64("max_dialog_bytes", int64(s.MaxDialogBytes)),
		slog.String("allowed_hosts", strings.Join(c.allowedHosts(), ",")),
		slog.Int("max_connections", s.MaxConnections),
		slog.String("fetch_allow_hosts", strings.Join(c.Fetch.AllowHosts, ",")),
		slog.Bool("fetch_allow_private", c.Fetch.AllowPrivate),
		slog.Duration("shutdown_timeout", s.ShutdownTimeout),
		slog.Int("queue_workers", c.Queue.Workers),
		slog.Duration("job_timeout", c.Queue.JobTimeout),
		slog.Int("job_max_attempts", c.Queue.MaxAttempts),
		slog.Bool("webhook_signatures", s.WebhookSecret != ""),
		slog.String("intake", strings.Join(c.IntakeVendors(), ",")),
		slog.String("auth", string(c.Access.Auth)),
		slog.Bool("admin_password_set", c.Access.AdminPassword != ""),
		slog.String("redact", string(c.Redaction())),
		slog.Duration("retention", time.Duration(c.Privacy.Retention)),
		slog.Any("openai_score", c.ScoreOpenAIConfig()),
		slog.Any("openai_transcribe", c.TranscribeOpenAIConfig()),
		slog.Any("vendors", c.Vendors),
	)
}

// String is the redacted description, so that printing a Config with %v
// or %+v never shows a secret.
func (c Config) String() string { return fmt.Sprint(c.LogValue()) }

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }
