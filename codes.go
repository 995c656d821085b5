package callaudit

// Code is the stable identifier of a user-facing message, so that a server
// can show the message in the user's language: adapters/httpapi keeps the
// Russian and English text of every code in one catalogue and fills in an
// error's Params ({name} placeholders). Message stays the English text for
// logs, the command line and library users. Codes never change meaning;
// new messages get new codes. An error without a code is shown with its
// Message as is.
type Code string

// The codes of the messages the core packages produce. Params are listed
// in brackets.
const (
	// Field errors.
	CodeRequired            Code = "required"             // the field is missing
	CodeEmpty               Code = "empty"                // the input is missing or blank
	CodeOneInput            Code = "one_input"            // more than one input given
	CodeNotUTF8             Code = "not_utf8"             // text is not valid UTF-8
	CodeFileEmpty           Code = "file_empty"           // an empty file
	CodeNoWords             Code = "no_words"             // nothing to analyse
	CodeTooLong             Code = "too_long"             // [max] characters
	CodeTooShort            Code = "too_short"            // [min] characters
	CodeTooBig              Code = "too_big"              // a number over [max]
	CodeTooSmall            Code = "too_small"            // a number under [min]
	CodeOneOf               Code = "one_of"               // [values]
	CodeHTTPURL             Code = "http_url"             // not an absolute http(s) URL
	CodePrintableASCII      Code = "printable_ascii"      // not printable ASCII
	CodeInvalidValue        Code = "invalid_value"        // a rule without a message [rule]
	CodeRequiredWithout     Code = "required_without"     // required unless [others] given
	CodeLanguageTag         Code = "language_tag"         // not a language tag
	CodeLanguageUnsupported Code = "language_unsupported" // [languages]
	CodeModeUnknown         Code = "mode_unknown"         // [value], [accepted]
	CodeFieldTooLarge       Code = "field_too_large"      // the field's value is over its limit
	CodeIDChars             Code = "id_chars"             // an id with control, format or edge-space characters

	// Errors of a whole request.
	CodeDialogTooLarge     Code = "dialog_too_large"    // [size], [limit]
	CodeTranscriberMissing Code = "transcriber_missing" // audio without speech-to-text
	CodeFetcherMissing     Code = "fetcher_missing"     // a URL without a fetcher
	CodeCallNotFound       Code = "call_not_found"      // [id]
	CodeCanceled           Code = "canceled"            // the caller went away
	CodeTimeout            Code = "timeout"             // a deadline passed
	CodeAnalysisTimeout    Code = "analysis_timeout"    // the analysis took too long
	CodeModelSettings      Code = "model_settings"      // the model refuses the settings [detail]
	CodeBadModelAnswer     Code = "bad_model_answer"    // the model's answer is unusable
	CodeNoRolesToSwap      Code = "no_roles_to_swap"    // [id]: no turn has a manager or client role

	// Upstream services (speech-to-text, scoring models): [service] names
	// the service, [account] its vendor, [setting] the setting to check,
	// [detail] the service's own (English) words. An OpenAI-compatible
	// server other than OpenAI's adds [host], its scheme://host[:port],
	// by which the messages name it in place of [service].
	CodeUpstreamFailed       Code = "upstream_failed"        // the request failed
	CodeUpstreamServerError  Code = "upstream_server_error"  // it failed to process the request (5xx)
	CodeUpstreamUnreachable  Code = "upstream_unreachable"   // unreachable, or the connection dropped
	CodeUpstreamUnavailable  Code = "upstream_unavailable"   // overloaded (502, 503)
	CodeUpstreamTimeout      Code = "upstream_timeout"       // no answer in time
	CodeUpstreamTimedOut     Code = "upstream_timed_out"     // it answered that it timed out (408, 504)
	CodeUpstreamRateLimited  Code = "upstream_rate_limited"  // it rate limits us
	CodeUpstreamKeyRejected  Code = "upstream_key_rejected"  // the API key is wrong [setting]
	CodeUpstreamRefused      Code = "upstream_refused"       // access refused [detail]
	CodeUpstreamUnknownModel Code = "upstream_unknown_model" // no such model or endpoint [detail]
	CodeUpstreamTooLarge     Code = "upstream_too_large"     // the upload is too large for it
	CodeUpstreamNoQuota      Code = "upstream_no_quota"      // the account is out of quota [account]
	CodeUpstreamUnreadable   Code = "upstream_unreadable"    // it cannot read the recording [detail]
	CodeUpstreamRejected     Code = "upstream_rejected"      // it rejected the request [detail]
	CodeNoSpeech             Code = "no_speech"              // no speech in the recording
	CodeRecordingEmpty       Code = "recording_empty"        // the recording has no bytes

	// An OpenAI-compatible server other than OpenAI's did not answer:
	// [host] is its scheme://host[:port], never a path or credentials
	// (OpenAI's own API keeps upstream_unreachable and upstream_timeout).
	CodeServerUnreachable Code = "server_unreachable" // unreachable, or the connection dropped
	CodeServerTimeout     Code = "server_timeout"     // no answer in time

	// Fetching a recording by URL: [host] is the server's host, [status]
	// its HTTP status.
	CodeFetchRedirectsOff     Code = "fetch_redirects_off"      // a redirect with redirects disabled
	CodeFetchRedirects        Code = "fetch_redirects"          // more than [max] redirects
	CodeFetchScheme           Code = "fetch_scheme"             // [scheme] is not http(s)
	CodeFetchEmpty            Code = "fetch_empty"              // an empty file
	CodeFetchStore            Code = "fetch_store"              // a temporary file failed
	CodeFetchNotFound         Code = "fetch_not_found"          // 404 or 410
	CodeFetchFieldNotFound    Code = "fetch_field_not_found"    // the field message of fetch_not_found
	CodeFetchRefused          Code = "fetch_refused"            // 401 or 403
	CodeFetchRateLimited      Code = "fetch_rate_limited"       // 429
	CodeFetchTimedOut         Code = "fetch_timed_out"          // 408
	CodeFetchFailed           Code = "fetch_failed"             // 5xx
	CodeFetchNoLocation       Code = "fetch_no_location"        // 3xx without a usable Location
	CodeFetchStatus           Code = "fetch_status"             // another 4xx
	CodeFetchNotAudio         Code = "fetch_not_audio"          // not audio [formats]
	CodeFetchNotAudioType     Code = "fetch_not_audio_type"     // not audio, the server says [type] [formats]
	CodeFetchFieldNotAudio    Code = "fetch_field_not_audio"    // the field message of fetch_not_audio
	CodeFetchTooLarge         Code = "fetch_too_large"          // over [limit]
	CodeFetchTooLargeSize     Code = "fetch_too_large_size"     // [size] over [limit]
	CodeFetchIdle             Code = "fetch_idle"               // nothing for [idle]
	CodeFetchSlow             Code = "fetch_slow"               // slower than [rate] a second
	CodeFetchInternalAddress  Code = "fetch_internal_address"   // a private address [field]
	CodeFetchFieldInternal    Code = "fetch_field_internal"     // the field message of fetch_internal_address
	CodeFetchUnknownHost      Code = "fetch_unknown_host"       // no such host [field]
	CodeFetchFieldUnknownHost Code = "fetch_field_unknown_host" // the field message of fetch_unknown_host
	CodeFetchNoAnswer         Code = "fetch_no_answer"          // the host did not answer in time
	CodeFetchUnavailable      Code = "fetch_unavailable"        // the download failed
	CodeFetchTooLong          Code = "fetch_too_long"           // the download took longer than [limit]
	CodeFetchTimeout          Code = "fetch_timeout"            // the download did not finish in time

	// Stores and the retry loop.
	CodeBetween               Code = "between"                // a number outside [min]..[max]
	CodeBadCursor             Code = "bad_cursor"             // a cursor no page returned
	CodeDatabaseUnavailable   Code = "database_unavailable"   // the database cannot be reached
	CodeDatabaseConflict      Code = "database_conflict"      // the call conflicts with stored data
	CodeDatabaseTimeout       Code = "database_timeout"       // the database is too slow
	CodeDatabaseError         Code = "database_error"         // any other database failure
	CodeTimeoutRetrying       Code = "timeout_retrying"       // time ran out retrying [detail]
	CodeRecordingUnsplittable Code = "recording_unsplittable" // [size] bytes over [limit], not WAV or MP3

	// Human review (storage.Review).
	CodeReviewNoReport         Code = "review_no_report"         // [id]: a call without a report
	CodeReviewEmpty            Code = "review_empty"             // a review with nothing in it
	CodeReviewTwice            Code = "review_twice"             // a criterion given twice
	CodeReviewUnknownCriterion Code = "review_unknown_criterion" // [criterion]
	CodeReviewScoreToAccept    Code = "review_score_to_accept"   // accepting without a score
	CodeReviewReasonToReject   Code = "review_reason_to_reject"  // rejecting without a reason
	CodeReviewChanged          Code = "review_changed"           // [id]: saved meanwhile
	CodeDisputeOpen            Code = "dispute_open"             // [criterion], [dispute]
	CodeDisputeNotFound        Code = "dispute_not_found"        // [dispute]
	CodeDisputeResolved        Code = "dispute_resolved"         // [dispute]
	// Scorecards.
	CodeScorecardNotFound  Code = "scorecard_not_found"  // [id]
	CodeScorecardNoVersion Code = "scorecard_no_version" // [id] has no [version]
	CodeScorecardConflict  Code = "scorecard_conflict"   // [id] is at [latest]: [version] cannot be saved

	CodeInternal Code = "internal" // anything unexpected
)
