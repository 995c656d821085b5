// Package openai implements transcribe.Transcriber and score.Scorer over
// github.com/sashabaranov/go-openai, against OpenAI or any
// OpenAI-compatible server (Config.BaseURL, Config.HTTPClient): vLLM,
// Ollama, LocalAI, local whisper servers.
//
// The Scorer sends one chat completion per call with a strict JSON schema
// (response_format json_schema, strict: true) built from the rubric. The
// static instructions and rubric come first and the transcript last, as
// delimited data, so automatic prompt caching can reuse the prefix. The
// model's criterion scores are clamped and the total is computed in code
// from the rubric's weights; evidence quotes are checked against the
// transcript. Transcripts over the token budget are split on turn
// boundaries with overlap and the results merged, never truncated.
//
// The Transcriber uploads a recording of up to 25 MB to the audio
// transcriptions endpoint, asking whisper-1 for verbose_json (timestamped
// segments) and the gpt-4o transcribe family for json (text only).
//
// Both retry 429, 5xx and timeouts with retry.Policy (exponential backoff
// with full jitter, honouring Retry-After), limit concurrent upstream
// requests, and translate errors into callaudit kinds:
//
//	401, 403       KindNotConfigured (the server's key or project, not the caller's)
//	404 (model)    KindNotConfigured
//	413            KindTooLarge
//	429            KindRateLimited (with RetryAfter); insufficient_quota: KindNotConfigured
//	408, 504       KindTimeout
//	502, 503       KindUnavailable
//	other 5xx      KindUpstream
//	400 about file KindUnsupported
//	other 4xx      KindInvalid
//	network        KindUnavailable or KindTimeout
//
// The API key never appears in errors, logs or Config's String.
// openai/openaitest is a fake of the API for tests.
package openai
