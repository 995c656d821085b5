package config

import (
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/adapters/auditfx"
	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/writeback/amocrm"
	"github.com/callaudit/callaudit/adapters/writeback/bitrix24"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
)

// The adapters' own configurations, built from the variables.

// OpenAIConfig is the configuration of the OpenAI scorer and transcriber.
func (c Config) OpenAIConfig() openai.Config {
	o := c.OpenAI
	cfg := openai.Config{
		APIKey: o.APIKey, BaseURL: o.BaseURL, OrgID: o.OrgID,
		ScoreModel: o.ScoreModel, Seed: o.Seed, MaxTranscriptTokens: o.MaxTranscriptTokens,
		TranscribeModel: o.TranscribeModel, TranscribeFormat: o.TranscribeFormat, TranscribePrompt: o.TranscribePrompt,
		MaxConcurrency: o.MaxConcurrency,
	}
	if o.Temperature != nil {
		t := float32(*o.Temperature)
		cfg.Temperature = &t
	}
	return cfg
}

// ScoreOpenAIConfig is OpenAIConfig with the scoring server's URL and key
// (AUDIT_SCORE_BASE_URL, AUDIT_SCORE_API_KEY).
func (c Config) ScoreOpenAIConfig() openai.Config {
	return withServer(c.OpenAIConfig(), c.OpenAI.ScoreBaseURL, c.OpenAI.ScoreAPIKey)
}

// TranscribeOpenAIConfig is OpenAIConfig with the speech-to-text server's
// URL and key (AUDIT_TRANSCRIBE_BASE_URL, AUDIT_TRANSCRIBE_API_KEY).
func (c Config) TranscribeOpenAIConfig() openai.Config {
	return withServer(c.OpenAIConfig(), c.OpenAI.TranscribeBaseURL, c.OpenAI.TranscribeAPIKey)
}

// withServer points cfg (the shared OPENAI_* settings) at baseURL with
// key. An empty baseURL keeps the shared URL. The shared key and
// organisation are kept only for a server of the same origin (scheme and
// host) as the shared URL, so that a local speech server never receives
// the OpenAI key; an empty key there is sent as none.
func withServer(cfg openai.Config, baseURL, key string) openai.Config {
	if baseURL != "" && !sameOrigin(baseURL, cfg.BaseURL) {
		cfg.BaseURL, cfg.APIKey, cfg.OrgID = baseURL, key, ""
		return cfg
	}
	if baseURL != "" {
		cfg.BaseURL = baseURL
	}
	if key != "" {
		cfg.APIKey = key
	}
	return cfg
}

// sameOrigin reports whether a and b are URLs of the same scheme and
// host (with port), compared without case.
func sameOrigin(a, b string) bool {
	ua, err := url.Parse(a)
	if err != nil {
		return false
	}
	ub, err := url.Parse(b)
	if err != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}

// FetchConfig is the URL fetcher's configuration: one size limit for
// recordings, uploaded or fetched, unless AUDIT_FETCH_MAX_BYTES says
// otherwise, and the server's temporary directory.
func (c Config) FetchConfig() fetch.Config {
	cfg := fetch.Config{
		AllowHosts:   c.Fetch.AllowHosts,
		AllowPrivate: c.Fetch.AllowPrivate,
		MaxBytes:     int64(c.Fetch.MaxBytes),
		Timeout:      c.Fetch.Timeout,
		TempDir:      c.Server.TempDir,
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = int64(c.Server.MaxAudioBytes)
	}
	return cfg
}

// QueueConfig is the webhook queue's configuration, kept where the
// history is; the auditor, notifiers and logger come from the app.
func (c Config) QueueConfig() queue.Config {
	return queue.Config{
		DatabaseURL: c.Server.DatabaseURL,
		Workers:     c.Queue.Workers,
		JobTimeout:  c.Queue.JobTimeout,
		MaxAttempts: c.Queue.MaxAttempts,
		RescueAfter: c.Queue.RescueAfter,
		Retention:   time.Duration(c.Privacy.Retention),
	}
}

// HandlerConfig is the HTTP API's configuration; the auditor, logger,
// webhook queue and UI come from the app.
func (c Config) HandlerConfig(transcriberHint string) httpapi.Config {
	return httpapi.Config{
		MaxBodyBytes:    int64(c.Server.MaxBodyBytes),
		MaxAudioBytes:   int64(c.Server.MaxAudioBytes),
		JSONReadTimeout: c.Server.JSONReadTimeout,
		TranscriberHint: transcriberHint,
		Version:         c.Version,
		TempDir:         c.Server.TempDir,
		Guard:           httpapi.GuardConfig{AllowedHosts: c.allowedHosts(), TrustedOrigins: c.Server.TrustedOrigins},
		AllowErasure:    c.LocalMode(),
	}
}

// allowedHosts are the host names the server answers for: its public
// URL's, its listen address's and AUDIT_ALLOWED_HOSTS. httpapi.Guard adds
// the loopback names and IP addresses; localhost is listed so that the
// list is never empty (which would allow any host).
func (c Config) allowedHosts() []string {
	hosts := []string{"localhost"}
	if u, err := url.Parse(c.Server.PublicURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	if h, _, err := net.SplitHostPort(c.Server.Addr); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	return append(hosts, c.Server.AllowedHosts...)
}

// LocalMode reports whether the server listens on a loopback address
// only, so that only this machine reaches it. Until accounts and roles
// exist it is what allows erasure.
func (c Config) LocalMode() bool {
	host, _, err := net.SplitHostPort(c.Server.Addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ServerConfig is the HTTP server's configuration.
func (c Config) ServerConfig() auditfx.ServerConfig {
	s := c.Server
	return auditfx.ServerConfig{
		Addr:              s.Addr,
		ReadHeaderTimeout: s.ReadHeaderTimeout,
		ReadTimeout:       s.ReadTimeout,
		WriteTimeout:      s.WriteTimeout,
		IdleTimeout:       s.IdleTimeout,
		ShutdownTimeout:   s.ShutdownTimeout,
		MaxConnections:    s.MaxConnections,
	}
}

// CallbackConfig is the signed callback's configuration, and whether it
// is switched on (AUDIT_CALLBACK_URL set).
func (c Config) CallbackConfig() (signedhook.Config, bool) {
	cfg := signedhook.Config{URL: c.Callback.URL, Secret: c.Callback.Secret, PublicURL: c.Server.PublicURL, Timeout: c.Callback.Timeout}
	return cfg, cfg.Configured()
}

// AmoCRMConfig is the amoCRM write-back's configuration, and whether any
// of its settings is present (New then says what else is missing).
func (c Config) AmoCRMConfig() (amocrm.Config, bool) {
	a := c.AmoCRM
	cfg := amocrm.Config{BaseURL: a.BaseURL, Token: a.Token, EntityType: a.EntityType, CallIDPattern: a.CallIDPattern,
		PublicURL: c.Server.PublicURL, Timeout: a.Timeout}
	if cfg.BaseURL == "" && a.Subdomain != "" {
		cfg.BaseURL = "https://" + a.Subdomain + ".amocrm.ru"
	}
	return cfg, cfg.Configured()
}

// Bitrix24Config is the Bitrix24 write-back's configuration, and whether
// it is switched on (AUDIT_BITRIX24_WEBHOOK_URL set).
func (c Config) Bitrix24Config() (bitrix24.Config, bool) {
	b := c.Bitrix24
	cfg := bitrix24.Config{WebhookURL: b.WebhookURL, EntityType: b.EntityType, CallIDPattern: b.CallIDPattern,
		PublicURL: c.Server.PublicURL, Timeout: b.Timeout}
	return cfg, cfg.Configured()
}

// AccessConfig is the sign-in service's configuration; the accounts come
// from the store.
func (c Config) AccessConfig() access.Config {
	return access.Config{IdleTimeout: c.Access.SessionIdle, MaxAge: c.Access.SessionMaxAge}
}

// HTTPAccess is the HTTP API's sign-in configuration over svc; local is
// local mode (no accounts yet on a loopback address). The session cookie
// is Secure when AUDIT_PUBLIC_URL is https.
func (c Config) HTTPAccess(svc *access.Service, local bool) *httpapi.Access {
	a := c.Access
	return &httpapi.Access{
		Service:           svc,
		LocalUntilUsers:   local,
		SecureCookie:      strings.HasPrefix(strings.ToLower(c.Server.PublicURL), "https://"),
		LoginBurstAccount: a.LoginBurstAccount,
		LoginBurstAddress: a.LoginBurstAddress,
		LoginRefill:       a.LoginRefill,
		AnalyzePerMinute:  a.AnalyzePerMinute,
		AnalyzeBurst:      a.AnalyzeBurst,
	}
}
