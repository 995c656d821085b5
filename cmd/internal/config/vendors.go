package config

import (
	"log/slog"
	"net/url"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/gigachat"
	"github.com/callaudit/callaudit/adapters/salute"
	"github.com/callaudit/callaudit/adapters/yandex"
	"github.com/callaudit/callaudit/adapters/yandexgpt"
)

// The registry names of the Russian providers (cmd/internal/server).
const (
	VendorYandex    = "yandex"    // AUDIT_TRANSCRIBER: Yandex SpeechKit
	VendorSalute    = "salute"    // AUDIT_TRANSCRIBER: SaluteSpeech
	VendorGigaChat  = "gigachat"  // AUDIT_SCORER: GigaChat
	VendorYandexGPT = "yandexgpt" // AUDIT_SCORER: YandexGPT (OpenAI-compatible)
)

// Vendors are the Russian speech-to-text and model providers: Yandex
// SpeechKit and YandexGPT (Yandex Cloud), SaluteSpeech and GigaChat
// (Sber). Each is used only when AUDIT_TRANSCRIBER or AUDIT_SCORER names
// it. The keys are never logged.
type Vendors struct {
	YandexAPIKey       string `env:"AUDIT_YANDEX_API_KEY"`
	YandexIAMToken     string `env:"AUDIT_YANDEX_IAM_TOKEN"`
	YandexFolderID     string `env:"AUDIT_YANDEX_FOLDER_ID"`
	YandexSTTModel     string `env:"AUDIT_YANDEX_STT_MODEL" envDefault:"general"`
	YandexSTTURL       string `env:"AUDIT_YANDEX_STT_URL" envDefault:"https://stt.api.cloud.yandex.net"`
	YandexOperationURL string `env:"AUDIT_YANDEX_OPERATION_URL" envDefault:"https://operation.api.cloud.yandex.net"`
	// YandexGPTAPIKey unset is YandexAPIKey (one service account may
	// hold both roles).
	YandexGPTAPIKey string `env:"AUDIT_YANDEXGPT_API_KEY" defaultDoc:"AUDIT_YANDEX_API_KEY"`
	YandexGPTModel  string `env:"AUDIT_YANDEXGPT_MODEL" envDefault:"yandexgpt/latest"`
	YandexGPTURL    string `env:"AUDIT_YANDEXGPT_URL" envDefault:"https://llm.api.cloud.yandex.net/v1"`

	SaluteAuthKey   string `env:"AUDIT_SALUTE_AUTH_KEY"`
	SaluteScope     string `env:"AUDIT_SALUTE_SCOPE" envDefault:"SALUTE_SPEECH_PERS"`
	SaluteModel     string `env:"AUDIT_SALUTE_MODEL" envDefault:"callcenter"`
	SaluteURL       string `env:"AUDIT_SALUTE_URL" envDefault:"https://smartspeech.sber.ru/rest/v1"`
	GigaChatAuthKey string `env:"AUDIT_GIGACHAT_AUTH_KEY"`
	GigaChatScope   string `env:"AUDIT_GIGACHAT_SCOPE" envDefault:"GIGACHAT_API_PERS"`
	GigaChatModel   string `env:"AUDIT_GIGACHAT_MODEL" envDefault:"GigaChat-2-Max"`
	GigaChatURL     string `env:"AUDIT_GIGACHAT_URL" envDefault:"https://gigachat.devices.sberbank.ru/api/v1"`
	SberOAuthURL    string `env:"AUDIT_SBER_OAUTH_URL" envDefault:"https://ngw.devices.sberbank.ru:9443/api/v2/oauth"`
}

// managerChannel is AUDIT_STEREO_MANAGER_CHANNEL for the vendors that
// recognise channels apart themselves: 0 or 1, or -1 (found from the
// text) when unset.
func (c Config) managerChannel() int { return c.Server.StereoManagerChannel.Index() }

// NativeStereo reports whether the transcriber named recognises the
// channels of a stereo recording itself, so that the server need not
// split them (auditfx.Stereo).
func NativeStereo(name string) bool { return name == VendorYandex || name == VendorSalute }

// YandexConfig is the Yandex SpeechKit transcriber's configuration;
// KindInvalid without a key or token.
func (c Config) YandexConfig() (yandex.Config, error) {
	v := c.Vendors
	if v.YandexAPIKey == "" && v.YandexIAMToken == "" {
		return yandex.Config{}, callaudit.Errorf(callaudit.KindInvalid, "needs AUDIT_YANDEX_API_KEY (or AUDIT_YANDEX_IAM_TOKEN with AUDIT_YANDEX_FOLDER_ID)")
	}
	if v.YandexAPIKey == "" && v.YandexFolderID == "" {
		return yandex.Config{}, callaudit.Errorf(callaudit.KindInvalid, "needs AUDIT_YANDEX_FOLDER_ID with AUDIT_YANDEX_IAM_TOKEN")
	}
	return yandex.Config{APIKey: v.YandexAPIKey, IAMToken: v.YandexIAMToken, FolderID: v.YandexFolderID,
		BaseURL: v.YandexSTTURL, OperationURL: v.YandexOperationURL, Model: v.YandexSTTModel, ManagerChannel: c.managerChannel()}, nil
}

// SaluteConfig is the SaluteSpeech transcriber's configuration.
func (c Config) SaluteConfig() (salute.Config, error) {
	v := c.Vendors
	if v.SaluteAuthKey == "" {
		return salute.Config{}, callaudit.Errorf(callaudit.KindInvalid, "needs AUDIT_SALUTE_AUTH_KEY")
	}
	return salute.Config{AuthKey: v.SaluteAuthKey, Scope: v.SaluteScope, BaseURL: v.SaluteURL, OAuthURL: v.SberOAuthURL,
		Model: v.SaluteModel, ManagerChannel: c.managerChannel()}, nil
}

// GigaChatConfig is the GigaChat scorer's configuration.
func (c Config) GigaChatConfig() (gigachat.Config, error) {
	v := c.Vendors
	if v.GigaChatAuthKey == "" {
		return gigachat.Config{}, callaudit.Errorf(callaudit.KindInvalid, "needs AUDIT_GIGACHAT_AUTH_KEY")
	}
	cfg := gigachat.Config{AuthKey: v.GigaChatAuthKey, Scope: v.GigaChatScope, BaseURL: v.GigaChatURL, OAuthURL: v.SberOAuthURL,
		Model: v.GigaChatModel, MaxTranscriptTokens: c.OpenAI.MaxTranscriptTokens}
	if cfg.MaxTranscriptTokens > gigachat.DefaultMaxTranscriptTokens {
		// The OpenAI default (60,000) is over GigaChat's 32k context.
		cfg.MaxTranscriptTokens = gigachat.DefaultMaxTranscriptTokens
	}
	if t := c.OpenAI.Temperature; t != nil {
		f := float64(*t)
		cfg.Temperature = &f
	}
	return cfg, nil
}

// YandexGPTConfig is YandexGPT's configuration: the openai scorer's
// settings (token budget, seed, temperature) over AI Studio's
// OpenAI-compatible API.
func (c Config) YandexGPTConfig() (yandexgpt.Config, error) {
	v := c.Vendors
	key := v.YandexGPTAPIKey
	if key == "" {
		key = v.YandexAPIKey
	}
	if key == "" || v.YandexFolderID == "" {
		return yandexgpt.Config{}, callaudit.Errorf(callaudit.KindInvalid, "needs AUDIT_YANDEXGPT_API_KEY (or AUDIT_YANDEX_API_KEY) and AUDIT_YANDEX_FOLDER_ID")
	}
	base := c.OpenAIConfig()
	base.APIKey, base.BaseURL, base.OrgID = "", "", ""
	return yandexgpt.Config{APIKey: key, FolderID: v.YandexFolderID, Model: v.YandexGPTModel, BaseURL: v.YandexGPTURL, Base: base}, nil
}

// check refuses vendor addresses that are not absolute http(s) URLs.
func (v Vendors) check() []callaudit.FieldError {
	var fields []callaudit.FieldError
	for _, u := range []struct{ key, value string }{
		{"AUDIT_YANDEX_STT_URL", v.YandexSTTURL}, {"AUDIT_YANDEX_OPERATION_URL", v.YandexOperationURL},
		{"AUDIT_YANDEXGPT_URL", v.YandexGPTURL}, {"AUDIT_SALUTE_URL", v.SaluteURL},
		{"AUDIT_GIGACHAT_URL", v.GigaChatURL}, {"AUDIT_SBER_OAUTH_URL", v.SberOAuthURL},
	} {
		if p, err := url.Parse(u.value); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			fields = append(fields, callaudit.FieldError{Field: u.key, Message: "must be an absolute http(s) URL"})
		}
	}
	return fields
}

// LogValue shows which vendors have credentials, never the credentials.
func (v Vendors) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("yandex_key_set", v.YandexAPIKey != "" || v.YandexIAMToken != ""),
		slog.String("yandex_folder", v.YandexFolderID),
		slog.Bool("yandexgpt_key_set", v.YandexGPTAPIKey != "" || v.YandexAPIKey != ""),
		slog.Bool("salute_key_set", v.SaluteAuthKey != ""),
		slog.Bool("gigachat_key_set", v.GigaChatAuthKey != ""),
	)
}

// String is the redacted description, for %v.
func (v Vendors) String() string { return v.LogValue().String() }

// GoString is String, for %#v.
func (v Vendors) GoString() string { return v.String() }
