// Package server builds the reference server from its configuration:
// which fx modules of adapters/auditfx the app is made of, and the run
// loop (start, wait for SIGINT/SIGTERM, stop gracefully) that cmd/auditd
// and "callaudit serve" share.
//
// Scorers and speech-to-text vendors are chosen by name from the
// registries below (AUDIT_SCORER, AUDIT_TRANSCRIBER). Adding a vendor is
// its own package (a transcribe.Transcriber and an fx module or
// constructor) plus one line in Transcribers.
package server

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/adapters/auditfx"
	"github.com/callaudit/callaudit/adapters/httpapi"
	intakeamocrm "github.com/callaudit/callaudit/adapters/intake/amocrm"
	intakebitrix24 "github.com/callaudit/callaudit/adapters/intake/bitrix24"
	"github.com/callaudit/callaudit/adapters/intake/mango"
	"github.com/callaudit/callaudit/adapters/intake/zadarma"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/writeback/amocrm"
	"github.com/callaudit/callaudit/adapters/writeback/bitrix24"
	"github.com/callaudit/callaudit/adapters/yandexgpt"
	"github.com/callaudit/callaudit/cmd/internal/config"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/transcribe/energy"
)

// Module builds one choice of a registry from the configuration; an error
// is a configuration error (the choice cannot work with these settings).
type Module func(config.Config) (fx.Option, error)

// Scorers are the scorers AUDIT_SCORER may name.
var Scorers = map[string]Module{
	config.ScorerChecklist: func(config.Config) (fx.Option, error) { return auditfx.Checklist(), nil },
	config.VendorOpenAI:    openAI(auditfx.OpenAIScorer, config.Config.ScoreOpenAIConfig),
	config.VendorGigaChat:  vendor(config.Config.GigaChatConfig, auditfx.GigaChatScorer),
	config.VendorYandexGPT: vendor(config.Config.YandexGPTConfig, func(c yandexgpt.Config) fx.Option {
		cfg, _ := c.OpenAIConfig() // checked by YandexGPTConfig
		return auditfx.OpenAIScorer(cfg)
	}),
}

// Transcribers are the speech-to-text vendors AUDIT_TRANSCRIBER may name
// (besides "none").
var Transcribers = map[string]Module{
	config.VendorOpenAI: openAI(auditfx.OpenAITranscriber, config.Config.TranscribeOpenAIConfig),
	config.VendorYandex: vendor(config.Config.YandexConfig, auditfx.YandexTranscriber),
	config.VendorSalute: vendor(config.Config.SaluteConfig, auditfx.SaluteTranscriber),
}

// vendor is a registry entry for a module over a vendor whose settings
// the configuration checks (settings says what is missing).
func vendor[C any](settings func(config.Config) (C, error), module func(C) fx.Option) Module {
	return func(c config.Config) (fx.Option, error) {
		cfg, err := settings(c)
		if err != nil {
			return nil, err
		}
		return module(cfg), nil
	}
}

// openAI is a registry entry for a module over OpenAI, which needs a key
// or a compatible server; settings picks the scoring or the speech-to-text
// server's configuration.
func openAI(module func(openai.Config) fx.Option, settings func(config.Config) openai.Config) Module {
	return func(c config.Config) (fx.Option, error) {
		cfg := settings(c)
		if !cfg.Enabled() {
			return nil, errNeedsOpenAI
		}
		return module(cfg), nil
	}
}

var errNeedsOpenAI = callaudit.Errorf(callaudit.KindInvalid, "needs OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible server, or AUDIT_SCORE_BASE_URL / AUDIT_TRANSCRIBE_BASE_URL for its own server)")

// choose returns the module registered under name.
func choose(registry map[string]Module, name, variable string, c config.Config) (fx.Option, error) {
	m, ok := registry[name]
	if !ok {
		names := slices.Sorted(maps.Keys(registry))
		if variable == "AUDIT_TRANSCRIBER" {
			names = append(names, config.TranscriberNone)
		}
		return nil, callaudit.Invalid(callaudit.FieldError{Field: variable, Message: "must be one of " + strings.Join(names, ", ")})
	}
	opt, err := m(c)
	if err != nil {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: variable, Message: name + " " + callaudit.MessageOf(err)})
	}
	return opt, nil
}

// TranscriberHint is the server's 503 message for audio when no
// speech-to-text is configured.
const TranscriberHint = "audio needs speech-to-text: set OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible server) and restart the server"

// Pipeline is the analysis without a store or a server: the chosen
// scorer, the chosen transcriber if any (per channel for stereo
// recordings when AUDIT_STEREO_MANAGER_CHANNEL is set) and the auditor.
// It reports whether a transcriber is part of it.
func Pipeline(c config.Config) (fx.Option, bool, error) {
	scorer, err := choose(Scorers, c.ScorerName(), "AUDIT_SCORER", c)
	if err != nil {
		return nil, false, err
	}
	files, err := LoadScorecards(c)
	if err != nil {
		return nil, false, err
	}
	redact := c.Redaction()
	// Without speech-to-text a stereo WAV recording is still measured from
	// its channels' energy, the manager on AUDIT_STEREO_MANAGER_CHANNEL
	// (left when unset or auto, the usual telephony layout of outbound
	// calls).
	measure := &energy.Config{ManagerChannel: max(0, c.Server.StereoManagerChannel.Index())}
	opts := []fx.Option{scorer, auditfx.Scorecards(auditfx.ScorecardsConfig{Files: files, Checklist: c.ScorerName() == config.ScorerChecklist}),
		auditfx.Auditor(auditfx.AuditorConfig{
			MaxDialogBytes: int(c.Server.MaxDialogBytes),
			RedactStore:    redact == config.RedactStore,
			Energy:         measure,
		})}
	// The offline checklist runs here and keeps seeing the original (its
	// card-data criterion reads it); every other scorer is a model.
	if redact != config.RedactOff && c.ScorerName() != config.ScorerChecklist {
		opts = append(opts, auditfx.RedactScorer())
	}
	if name := c.TranscriberName(); name != config.TranscriberNone {
		tr, err := choose(Transcribers, name, "AUDIT_TRANSCRIBER", c)
		if err != nil {
			return nil, false, err
		}
		opts = append(opts, tr)
		// Yandex SpeechKit and SaluteSpeech split the channels themselves.
		if ch := c.Server.StereoManagerChannel; ch.Split() && !config.NativeStereo(name) {
			// Index is -1 for auto, which is audio.AutoChannel.
			opts = append(opts, auditfx.Stereo(ch.Index()))
		}
		return fx.Options(opts...), true, nil
	}
	return fx.Options(opts...), false, nil
}

// LoadScorecards reads the scorecards of AUDIT_SCORECARD; a malformed one
// is a configuration error naming the file, line, field and reason of
// every problem.
func LoadScorecards(c config.Config) ([]*scorecard.Scorecard, error) {
	if len(c.Server.Scorecards) == 0 {
		return nil, nil
	}
	files, err := scorecard.Load(c.Server.Scorecards...)
	if err == nil && c.ScorerName() == config.ScorerChecklist {
		for _, sc := range files {
			if err = checklist.Check(sc); err != nil {
				break
			}
		}
	}
	if err != nil {
		fields := callaudit.FieldsOf(err)
		if len(fields) == 0 {
			fields = []callaudit.FieldError{{Message: err.Error()}}
		}
		out := make([]callaudit.FieldError, len(fields))
		for i, f := range fields {
			out[i] = callaudit.FieldError{Field: "AUDIT_SCORECARD", Message: f.Message}
		}
		return nil, callaudit.Invalid(out...)
	}
	return files, nil
}

// Options is the whole server as fx options: the logger, fx's own events
// at debug level (the run loop reports failures itself, once), a stop
// timeout that lets requests in flight finish, and the modules the
// configuration chooses. The webhook queue is part of it only with a
// transcriber, signature checks only with AUDIT_WEBHOOK_SECRET, and each
// write-back only with its settings.
func Options(c config.Config, logger *slog.Logger) (fx.Option, error) {
	pipeline, transcribes, err := Pipeline(c)
	if err != nil {
		return nil, err
	}
	opts := []fx.Option{
		fx.Supply(logger),
		fx.WithLogger(func() fxevent.Logger {
			l := &fxevent.SlogLogger{Logger: logger}
			l.UseLogLevel(slog.LevelDebug)
			l.UseErrorLevel(slog.LevelDebug)
			return l
		}),
		// A little more than the server's own shutdown budget, so that
		// closing the store after the server still fits.
		fx.StopTimeout(c.Server.ShutdownTimeout + 5*time.Second),
		auditfx.Metrics(),
		auditfx.Store(c.Server.DatabaseURL),
		auditfx.Fetcher(c.FetchConfig()),
		pipeline,
		auditfx.Handler(c.HandlerConfig(TranscriberHint)),
		auditfx.Server(c.ServerConfig()),
	}
	if transcribes {
		// Without speech-to-text a worker could do nothing: no queue, so
		// that an idle server does not poll an empty one, and the webhook
		// answers 503.
		opts = append(opts, auditfx.Queue(c.QueueConfig())) // with the eraser and the retention job
		if cfg, ok := c.CallbackConfig(); ok {
			opts = append(opts, auditfx.SignedHook(cfg))
		}
		// A CRM that is also a telephony intake gets its write-back from
		// the intake's module (intakeVendors), wrapped by the vendor.
		if cfg, ok := c.AmoCRMConfig(); ok && c.IntakeAmoCRM.Secret == "" {
			opts = append(opts, auditfx.AmoCRM(cfg))
		}
		if cfg, ok := c.Bitrix24Config(); ok && c.IntakeBitrix24.Tokens == "" {
			opts = append(opts, auditfx.Bitrix24(cfg))
		}
		vendors, err := intakeVendors(c)
		if err != nil {
			return nil, err
		}
		if len(vendors) > 0 {
			opts = append(opts, auditfx.Intake())
			opts = append(opts, vendors...)
		}
	} else if len(c.IntakeVendors()) > 0 {
		logger.Warn("the telephony intake needs speech-to-text (OPENAI_API_KEY or OPENAI_BASE_URL); it is off", "vendors", c.IntakeVendors())
	}
	if !transcribes {
		opts = append(opts, auditfx.Eraser(time.Duration(c.Privacy.Retention)))
	}
	if s := c.Server.WebhookSecret; s != "" {
		opts = append(opts, auditfx.WebhookSignatures(s, int64(c.Server.MaxBodyBytes)))
	}
	if c.Access.Auth == config.AuthOff {
		logger.Warn("AUDIT_AUTH=off: accounts are switched off; anyone who reaches the server may read every call, run analyses and change settings", "addr", c.Server.Addr)
	} else {
		opts = append(opts, auditfx.Access(c.AccessConfig()), fx.Provide(func(svc *access.Service) (*httpapi.Access, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			mode, err := Bootstrap(ctx, c, svc, logger)
			if err != nil {
				return nil, err
			}
			return c.HTTPAccess(svc, mode == ModeLocal), nil
		}))
	}
	return fx.Options(opts...), nil
}

// NewLogger returns the server's logger on w in the configured format and
// level.
func NewLogger(c config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.Level(c.Server.LogLevel)}
	if c.Server.LogFormat == config.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// intakeVendors are the fx modules of the telephony vendors switched on:
// one line per vendor.
func intakeVendors(c config.Config) ([]fx.Option, error) {
	var opts []fx.Option
	if cfg, on, err := c.MangoConfig(); err != nil {
		return nil, err
	} else if on {
		opts = append(opts, auditfx.IntakeVendor("mango", cfg, mango.New))
	}
	if cfg, on, err := c.ZadarmaConfig(); err != nil {
		return nil, err
	} else if on {
		opts = append(opts, auditfx.IntakeVendor("zadarma", cfg, zadarma.New))
	}
	if cfg, on, err := c.Bitrix24IntakeConfig(); err != nil {
		return nil, err
	} else if wb, ok := c.Bitrix24Config(); on && ok {
		opts = append(opts, auditfx.IntakeCRM(intakebitrix24.Name, cfg, intakebitrix24.New, wb, bitrix24.New, (*intakebitrix24.Vendor).Notifier))
	} else if on {
		// No write-back configured: the calls are audited, not commented.
		opts = append(opts, auditfx.IntakeVendor(intakebitrix24.Name, cfg, intakebitrix24.New))
	}
	if cfg, on, err := c.AmoCRMIntakeConfig(); err != nil {
		return nil, err
	} else if wb, _ := c.AmoCRMConfig(); on {
		opts = append(opts, auditfx.IntakeCRM(intakeamocrm.Name, cfg, intakeamocrm.New, wb, amocrm.New, (*intakeamocrm.Vendor).Notifier))
	}
	return opts, nil
}
