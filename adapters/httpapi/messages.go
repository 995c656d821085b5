package httpapi

import (
	"maps"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
)

// The codes of the messages only the HTTP layer produces; the core's are
// callaudit.Code* constants. Like those, they are stable.
const (
	codeMediaType          callaudit.Code = "media_type"           // [want], [got]
	codeBodyTooLarge       callaudit.Code = "body_too_large"       // [limit]
	codeBodyEmpty          callaudit.Code = "body_empty"           // no body
	codeJSONTruncated      callaudit.Code = "json_truncated"       // the body ends too early
	codeJSONSyntax         callaudit.Code = "json_syntax"          // [offset], [detail]
	codeJSONNotObject      callaudit.Code = "json_not_object"      // not an object
	codeJSONType           callaudit.Code = "json_type"            // [type]
	codeJSONTrailing       callaudit.Code = "json_trailing"        // data after the object
	codeJSONNotUTF8        callaudit.Code = "json_not_utf8"        // [offset]: bytes that are not UTF-8
	codeJSONUnreadable     callaudit.Code = "json_unreadable"      // anything else
	codeMethodNotAllowed   callaudit.Code = "method_not_allowed"   // [method], [path], [allow]
	codeNoRoute            callaudit.Code = "no_route"             // [method], [path]
	codeMultipartInvalid   callaudit.Code = "multipart_invalid"    // not multipart
	codeMultipartBroken    callaudit.Code = "multipart_broken"     // cut short or malformed
	codeOneFile            callaudit.Code = "one_file"             // two files
	codeAudioRequired      callaudit.Code = "audio_required"       // no file
	codeAudioFormat        callaudit.Code = "audio_format"         // [formats]
	codeUnsupportedFormat  callaudit.Code = "unsupported_format"   // field message of audio_format
	codeAudioTooLarge      callaudit.Code = "audio_too_large"      // [limit]
	codeFieldBytes         callaudit.Code = "field_bytes"          // [max]
	codeUploadStore        callaudit.Code = "upload_store"         // a temporary file failed
	codeTranscriberHint    callaudit.Code = "transcriber_hint"     // [hint]: Config.TranscriberHint
	codeURLFetchMissing    callaudit.Code = "url_fetch_missing"    // no fetcher
	codeWebhooksMissing    callaudit.Code = "webhooks_missing"     // no queue
	codeHistoryMissing     callaudit.Code = "history_missing"      // no store
	codeAnswerNotEncodable callaudit.Code = "answer_not_encodable" // a value JSON cannot hold
	codeHostNotAllowed     callaudit.Code = "host_not_allowed"     // a Host outside Guard's list
	codeCallExists         callaudit.Code = "call_exists"          // [id], [created], [url]: analysing a stored call_id
	codeCallFromWebhook    callaudit.Code = "call_from_webhook"    // [id], [created], [url]: a webhook call's call_id
	codeReviewsMissing     callaudit.Code = "reviews_missing"      // a store without reviews
	codeDisputeID          callaudit.Code = "dispute_id"           // a path's dispute id that is not a number
	codeVersionNeedsCard   callaudit.Code = "version_needs_card"   // a scorecard version without the scorecard
	codeEnergyOnly         callaudit.Code = "energy_only"          // the note of an EnergyReport
	codeServerNamed        callaudit.Code = "server_named"         // [host]: the {service} of an upstream_* message from a server other than OpenAI's

	// Accounts and access.
	codeSignInNeeded   callaudit.Code = "sign_in_needed"  // no credentials
	codeAuthHeader     callaudit.Code = "auth_header"     // not "Bearer …"
	codeCrossOrigin    callaudit.Code = "cross_origin"    // a cookie write from another site
	codeRoleForbidden  callaudit.Code = "role_forbidden"  // [role], [permission]
	codeScopeForbidden callaudit.Code = "scope_forbidden" // [permission]
	codeStatsOutside   callaudit.Code = "stats_outside"   // another team's statistics
	codeManagerOutside callaudit.Code = "manager_outside" // [manager]: analysis for another's manager
	codeCallIDTaken    callaudit.Code = "call_id_taken"   // [id]: a call the principal does not see
	codeSignInLimit    callaudit.Code = "sign_in_limit"   // [seconds]
	codeAnalyzeLimit   callaudit.Code = "analyze_limit"   // analyses over the limit
	codeAccountsOff    callaudit.Code = "accounts_off"    // no accounts configured

	// Scorecards.
	codeScorecardsMissing  callaudit.Code = "scorecards_missing"   // no book
	codeScorecardDefault   callaudit.Code = "scorecard_default"    // a lead changing the default
	codeScorecardTeam      callaudit.Code = "scorecard_team"       // [teams]: a team not the lead's
	codeScorecardOtherTeam callaudit.Code = "scorecard_other_team" // [id] belongs to [team]
	codeScorecardID        callaudit.Code = "scorecard_id"         // the file's [file_id] is not [id]
	codeRescoreMissing     callaudit.Code = "rescore_missing"      // no queue
)

// Languages of the messages. English is the default: it is what the API
// answered before it spoke Russian, and what API clients that say nothing
// get.
const (
	langRU      = "ru"
	langEN      = "en"
	defaultLang = langEN
)

// message is one catalogue entry: the text in each language, with {name}
// placeholders for the error's params.
type message struct {
	ru, en string
}

// catalogue holds the text of every message code, core and HTTP alike, in
// Russian and English. The English text is the core's Message with the
// API's field names (a test checks that they agree). Params named "field"
// hold Go field paths and are renamed like field errors.
var catalogue = map[callaudit.Code]message{
	// Field errors of the core.
	callaudit.CodeRequired:            {ru: "обязательное поле", en: "is required"},
	callaudit.CodeEmpty:               {ru: "обязательное поле, не может быть пустым", en: "is required and must not be empty"},
	callaudit.CodeOneInput:            {ru: "укажите что-то одно: текст диалога, расшифровку, запись или ссылку", en: "give exactly one of dialog text, transcript, audio or URL"},
	callaudit.CodeNotUTF8:             {ru: "текст должен быть в кодировке UTF-8", en: "must be valid UTF-8 text"},
	callaudit.CodeFileEmpty:           {ru: "файл пустой", en: "the file is empty"},
	callaudit.CodeNoWords:             {ru: "нет слов для анализа", en: "has no words to analyse"},
	callaudit.CodeTooLong:             {ru: "не длиннее {max} символов", en: "must be at most {max} characters"},
	callaudit.CodeTooShort:            {ru: "не короче {min} символов", en: "must be at least {min} characters"},
	callaudit.CodeTooBig:              {ru: "не больше {max}", en: "must be at most {max}"},
	callaudit.CodeTooSmall:            {ru: "не меньше {min}", en: "must be at least {min}"},
	callaudit.CodeOneOf:               {ru: "допустимые значения: {values}", en: "must be one of: {values}"},
	callaudit.CodeRequiredWithout:     {ru: "обязательное поле (или укажите {others})", en: "is required (or give {others})"},
	callaudit.CodeHTTPURL:             {ru: "нужна полная ссылка http(s)", en: "must be an absolute http(s) URL"},
	callaudit.CodePrintableASCII:      {ru: "допустимы только печатные символы ASCII", en: "must contain printable ASCII characters only"},
	callaudit.CodeInvalidValue:        {ru: "недопустимое значение ({rule})", en: "is invalid ({rule})"},
	callaudit.CodeLanguageTag:         {ru: "нужен код языка, например ru или en", en: "must be a language code such as ru or en"},
	callaudit.CodeLanguageUnsupported: {ru: "допустимые языки: {languages}", en: "must be one of: {languages}"},
	callaudit.CodeModeUnknown:         {ru: "неизвестный режим {value}; допустимые значения: {accepted}", en: "unknown mode {value}; accepted values: {accepted}"},
	callaudit.CodeFieldTooLarge:       {ru: "слишком большой размер", en: "too large"},
	callaudit.CodeIDChars:             {ru: "допустимы только печатные символы, без управляющих символов, символов смены направления текста и пробелов по краям", en: "must contain printable characters only, without control or bidirectional characters or spaces at either end"},

	// Errors of a whole request, from the core.
	callaudit.CodeDialogTooLarge:        {ru: "{field}: размер {size}, а предел — {limit}", en: "{field} is {size}; the limit is {limit}"},
	callaudit.CodeTranscriberMissing:    {ru: "для аудио нужно распознавание речи, а оно не настроено", en: "audio needs a speech-to-text transcriber, and none is configured"},
	callaudit.CodeFetcherMissing:        {ru: "для анализа записи по ссылке нужны загрузка по URL и распознавание речи, а они не настроены", en: "analysing a recording by URL needs a URL fetcher and a speech-to-text transcriber, and none is configured"},
	callaudit.CodeCallNotFound:          {ru: "звонок {id} не найден", en: "call {id} not found"},
	callaudit.CodeNoRolesToSwap:         {ru: "в звонке {id} ни одна реплика не отнесена к менеджеру или клиенту: менять нечего", en: "no turn of call {id} is the manager's or the client's: there are no roles to swap"},
	callaudit.CodeCanceled:              {ru: "запрос отменён", en: "the request was canceled"},
	callaudit.CodeTimeout:               {ru: "операция не уложилась во время", en: "the operation timed out"},
	callaudit.CodeAnalysisTimeout:       {ru: "анализ не уложился во время", en: "the analysis did not finish in time"},
	callaudit.CodeModelSettings:         {ru: "настроенная модель не принимает эти параметры запроса: {detail}", en: "the configured model does not accept these request settings: {detail}"},
	callaudit.CodeBadModelAnswer:        {ru: "модель не вернула корректный отчёт; попробуйте ещё раз", en: "the model did not return a valid report; try again"},
	callaudit.CodeUpstreamFailed:        {ru: "запрос к {service} не удался", en: "the {service} request failed"},
	callaudit.CodeUpstreamServerError:   {ru: "{service} не смог обработать запрос", en: "the {service} failed to process the request"},
	callaudit.CodeUpstreamUnreachable:   {ru: "{service} недоступен или разорвал соединение", en: "the {service} is unreachable or closed the connection"},
	callaudit.CodeUpstreamUnavailable:   {ru: "{service} недоступен; попробуйте позже", en: "the {service} is unavailable; try again later"},
	callaudit.CodeUpstreamTimeout:       {ru: "{service} не ответил вовремя", en: "the {service} did not answer in time"},
	callaudit.CodeUpstreamTimedOut:      {ru: "{service}: истекло время ожидания", en: "the {service} timed out"},
	callaudit.CodeUpstreamRateLimited:   {ru: "{service} ограничивает частоту запросов; попробуйте позже", en: "the {service} is rate limiting requests; try again later"},
	callaudit.CodeUpstreamKeyRejected:   {ru: "{service} отклонил ключ API (проверьте {setting})", en: "the {service} rejected the API key (check {setting})"},
	callaudit.CodeUpstreamRefused:       {ru: "{service} отказал в доступе: {detail}", en: "the {service} refused access: {detail}"},
	callaudit.CodeUpstreamUnknownModel:  {ru: "{service} не знает настроенную модель или адрес: {detail}", en: "the {service} does not know the configured model or endpoint: {detail}"},
	callaudit.CodeUpstreamTooLarge:      {ru: "{service} отклонил загрузку как слишком большую", en: "the {service} rejected the upload as too large"},
	callaudit.CodeUpstreamNoQuota:       {ru: "у аккаунта {account} закончилась квота", en: "the {account} account has no quota left"},
	callaudit.CodeUpstreamUnreadable:    {ru: "{service} не может прочитать запись: {detail}", en: "the {service} cannot read the recording: {detail}"},
	callaudit.CodeUpstreamRejected:      {ru: "{service} отклонил запрос: {detail}", en: "the {service} rejected the request: {detail}"},
	codeServerNamed:                     {ru: "сервер {host}", en: "server at {host}"},
	callaudit.CodeServerUnreachable:     {ru: "сервер {host} недоступен или разорвал соединение", en: "the server at {host} is unreachable or closed the connection"},
	callaudit.CodeServerTimeout:         {ru: "сервер {host} не ответил вовремя", en: "the server at {host} did not answer in time"},
	callaudit.CodeNoSpeech:              {ru: "в записи не распознано речи", en: "no speech was recognised in the recording"},
	callaudit.CodeRecordingEmpty:        {ru: "запись пустая", en: "the recording is empty"},
	callaudit.CodeFetchRedirectsOff:     {ru: "сервер перенаправил на другой адрес, а перенаправления отключены; укажите окончательный адрес записи", en: "the server redirected to another address, and redirects are disabled; give the final address of the recording"},
	callaudit.CodeFetchRedirects:        {ru: "сервер перенаправил больше {max} раз; укажите окончательный адрес записи", en: "the server redirected more than {max} times; give the final address of the recording"},
	callaudit.CodeFetchScheme:           {ru: "схема {scheme} не допускается; загружаются только ссылки http и https", en: "scheme {scheme} is not allowed; only http and https URLs are fetched"},
	callaudit.CodeFetchEmpty:            {ru: "сервер {host} вернул пустой файл", en: "the server at {host} returned an empty file"},
	callaudit.CodeFetchStore:            {ru: "не удалось сохранить загруженную запись", en: "cannot store the downloaded recording"},
	callaudit.CodeFetchNotFound:         {ru: "по этой ссылке нет записи: {host} ответил {status}; проверьте ссылку", en: "no recording at that URL: {host} answered {status}; check the link"},
	callaudit.CodeFetchFieldNotFound:    {ru: "не найдено", en: "not found"},
	callaudit.CodeFetchRefused:          {ru: "{host} отказал в доступе ({status}); возможно, ссылка устарела или требует авторизации", en: "{host} refused access ({status}); the link may have expired or need credentials"},
	callaudit.CodeFetchRateLimited:      {ru: "{host} ограничивает частоту загрузок ({status}); попробуйте позже", en: "{host} is rate limiting downloads ({status}); try again later"},
	callaudit.CodeFetchTimedOut:         {ru: "{host} не успел ответить ({status}); попробуйте позже", en: "{host} timed out answering ({status}); try again later"},
	callaudit.CodeFetchFailed:           {ru: "{host} не смог отдать запись ({status}); попробуйте позже", en: "{host} failed to serve the recording ({status}); try again later"},
	callaudit.CodeFetchNoLocation:       {ru: "{host} ответил {status} без пригодного заголовка Location", en: "{host} answered {status} without a usable Location"},
	callaudit.CodeFetchStatus:           {ru: "{host} ответил {status}; проверьте ссылку", en: "{host} answered {status}; check the link"},
	callaudit.CodeFetchNotAudio:         {ru: "файл на {host} не является распознаваемой аудиозаписью; поддерживаемые форматы: {formats}", en: "the file at {host} is not a recognised audio recording; supported formats: {formats}"},
	callaudit.CodeFetchNotAudioType:     {ru: "файл на {host} не является распознаваемой аудиозаписью (сервер сообщает {type}); поддерживаемые форматы: {formats}", en: "the file at {host} is not a recognised audio recording (the server says {type}); supported formats: {formats}"},
	callaudit.CodeFetchFieldNotAudio:    {ru: "не аудиофайл", en: "not an audio file"},
	callaudit.CodeFetchTooLarge:         {ru: "запись на {host} больше предела в {limit}", en: "the recording at {host} is larger than the limit of {limit}"},
	callaudit.CodeFetchTooLargeSize:     {ru: "запись на {host} занимает {size}, а предел — {limit}", en: "the recording at {host} is {size}; the limit is {limit}"},
	callaudit.CodeFetchIdle:             {ru: "{host} перестал отдавать запись (ничего за {idle})", en: "{host} stopped sending the recording (nothing for {idle})"},
	callaudit.CodeFetchSlow:             {ru: "{host} отдаёт запись слишком медленно (меньше {rate}/с)", en: "{host} sends the recording too slowly (under {rate}/s)"},
	callaudit.CodeFetchInternalAddress:  {ru: "{field}: {host} (или перенаправление с него) указывает на локальный, частный или иной внутренний адрес, с которого загрузка не выполняется; чтобы разрешить его, укажите хост в AUDIT_FETCH_ALLOW_HOSTS (AUDIT_FETCH_ALLOW_PRIVATE открывает только частные сети, но не loopback и не link-local)", en: "{field}: {host} (or a redirect from it) points to a loopback, private or otherwise internal address, which is not fetched; to allow it list the host in AUDIT_FETCH_ALLOW_HOSTS (AUDIT_FETCH_ALLOW_PRIVATE opens the private networks only, never loopback or link-local)"},
	callaudit.CodeFetchFieldInternal:    {ru: "внутренние адреса не допускаются", en: "internal addresses are not allowed"},
	callaudit.CodeFetchUnknownHost:      {ru: "{field}: хоста {host} не существует", en: "{field}: the host {host} does not exist"},
	callaudit.CodeFetchFieldUnknownHost: {ru: "неизвестный хост", en: "unknown host"},
	callaudit.CodeFetchNoAnswer:         {ru: "{host} не ответил вовремя; попробуйте позже", en: "{host} did not answer in time; try again later"},
	callaudit.CodeFetchUnavailable:      {ru: "не удалось загрузить запись с {host}; попробуйте позже", en: "cannot download the recording from {host}; try again later"},
	callaudit.CodeFetchTooLong:          {ru: "загрузка с {host} заняла больше {limit}", en: "downloading from {host} took longer than {limit}"},
	callaudit.CodeFetchTimeout:          {ru: "загрузка не завершилась вовремя", en: "the download did not finish in time"},
	callaudit.CodeBetween:               {ru: "от {min} до {max}", en: "must be between {min} and {max}"},
	callaudit.CodeBadCursor:             {ru: "это не курсор, который вернула предыдущая страница", en: "is not a cursor returned by a previous page"},
	callaudit.CodeDatabaseUnavailable:   {ru: "база данных недоступна", en: "the database is unavailable"},
	callaudit.CodeDatabaseConflict:      {ru: "звонок противоречит сохранённым данным", en: "the call conflicts with stored data"},
	callaudit.CodeDatabaseTimeout:       {ru: "база данных не ответила вовремя", en: "the database did not answer in time"},
	callaudit.CodeDatabaseError:         {ru: "ошибка базы данных", en: "database error"},
	callaudit.CodeScorecardNotFound:     {ru: "карта оценки {id} не найдена", en: "scorecard {id} not found"},
	callaudit.CodeScorecardNoVersion:    {ru: "у карты оценки {id} нет версии {version}", en: "scorecard {id} has no version {version}"},
	callaudit.CodeScorecardConflict:     {ru: "карта оценки {id} уже в версии {latest}: версию {version} сохранить нельзя; загрузите её заново и сохраните снова", en: "scorecard {id} is at version {latest}: version {version} cannot be saved; reload it and save again"},
	callaudit.CodeTimeoutRetrying:       {ru: "операция не уложилась во время, повторные попытки не помогли: {detail}", en: "the operation timed out while retrying: {detail}"},
	callaudit.CodeRecordingUnsplittable: {ru: "запись занимает {size} байт, больше {limit} байт, которые принимает одно распознавание; автоматически делятся только записи WAV и MP3 — сконвертируйте её в MP3 (или WAV) или сократите", en: "the recording is {size} bytes, over the {limit} bytes one transcription accepts; only WAV and MP3 recordings are split automatically, so convert it to MP3 (or WAV) or shorten it"},
	callaudit.CodeInternal:              {ru: "внутренняя ошибка", en: "internal error"},

	// Human review, from the core.
	callaudit.CodeReviewNoReport:         {ru: "у звонка {id} ещё нет отчёта, проверять нечего", en: "call {id} has no report to review yet"},
	callaudit.CodeReviewEmpty:            {ru: "укажите оценку хотя бы одного критерия или итог", en: "give at least one criterion's score or the total"},
	callaudit.CodeReviewTwice:            {ru: "критерий указан дважды", en: "is given twice"},
	callaudit.CodeReviewUnknownCriterion: {ru: "в отчёте звонка нет критерия {criterion}", en: "the call's report has no criterion {criterion}"},
	callaudit.CodeReviewScoreToAccept:    {ru: "чтобы принять спор, укажите новую оценку", en: "is required to accept a dispute"},
	callaudit.CodeReviewReasonToReject:   {ru: "чтобы отклонить спор, укажите причину", en: "is required to reject a dispute"},
	callaudit.CodeReviewChanged:          {ru: "проверку звонка {id} кто-то изменил за это время; обновите страницу и повторите", en: "the review of call {id} was changed meanwhile; reload and try again"},
	callaudit.CodeDisputeOpen:            {ru: "по критерию {criterion} уже открыт спор ({dispute})", en: "criterion {criterion} already has an open dispute ({dispute})"},
	callaudit.CodeDisputeNotFound:        {ru: "спор {dispute} не найден", en: "dispute {dispute} not found"},
	callaudit.CodeDisputeResolved:        {ru: "спор {dispute} уже решён", en: "dispute {dispute} is already resolved"},

	// Errors of the HTTP layer.
	codeMediaType:          {ru: "Content-Type должен быть {want}, а не {got}", en: "Content-Type must be {want}, not {got}"},
	codeBodyTooLarge:       {ru: "тело запроса больше предела в {limit}", en: "the request body is larger than the limit of {limit}"},
	codeBodyEmpty:          {ru: "тело запроса пустое; отправьте объект JSON", en: "the request body is empty; send a JSON object"},
	codeJSONTruncated:      {ru: "JSON в теле запроса обрывается", en: "the JSON body ends too early"},
	codeJSONSyntax:         {ru: "ошибка в JSON на байте {offset}: {detail}", en: "malformed JSON at byte {offset}: {detail}"},
	codeJSONNotObject:      {ru: "тело запроса должно быть объектом JSON", en: "the body must be a JSON object"},
	codeJSONType:           {ru: "неверный тип: нужен {type}", en: "must be a {type}"},
	codeJSONTrailing:       {ru: "тело должно содержать один объект JSON и ничего после него", en: "the body must hold one JSON object and nothing after it"},
	codeJSONNotUTF8:        {ru: "тело запроса не в кодировке UTF-8 (байт {offset}); отправляйте JSON в UTF-8, а текст в windows-1251 или другой кодировке сначала перекодируйте", en: "the body is not UTF-8 text (byte {offset}); send JSON in UTF-8, converting text in windows-1251 or another code page first"},
	codeJSONUnreadable:     {ru: "не удалось прочитать JSON в теле запроса", en: "cannot read the JSON body"},
	codeCallExists:         {ru: "call_id {id} уже сохранён (анализ от {created}, {url}); отправьте replace: true, чтобы заменить его, или выберите другой call_id", en: "call_id {id} is already stored (analysed {created}, {url}); send replace: true to replace it, or choose another call_id"},
	codeCallFromWebhook:    {ru: "call_id {id} — звонок, пришедший через вебхук ({url}); изменить его может только его вебхук: выберите другой call_id", en: "call_id {id} is a call that arrived through the webhook ({url}); only its own webhook may change it: choose another call_id"},
	codeHostNotAllowed:     {ru: "сервер не отвечает на это имя хоста; добавьте его в AUDIT_ALLOWED_HOSTS", en: "this server does not answer for the host name of the request; add it to AUDIT_ALLOWED_HOSTS"},
	codeMethodNotAllowed:   {ru: "метод {method} не разрешён для {path}; разрешены: {allow}", en: "method {method} is not allowed on {path}; allowed: {allow}"},
	codeNoRoute:            {ru: "нет такого адреса: {method} {path}; см. /docs", en: "no such endpoint: {method} {path}; see /docs"},
	codeMultipartInvalid:   {ru: "тело запроса — не корректная загрузка multipart/form-data", en: "the body is not a valid multipart/form-data upload"},
	codeMultipartBroken:    {ru: "загрузка multipart повреждена или прервалась", en: "the multipart upload is malformed or was interrupted"},
	codeOneFile:            {ru: "нужен только один файл", en: "give one file only"},
	codeAudioRequired:      {ru: "обязательное поле: отправьте запись файлом в поле audio", en: "is required: send the recording as a file field named audio"},
	codeAudioFormat:        {ru: "audio: файл не является записью в поддерживаемом формате ({formats}); формат определяется по содержимому файла, а не по имени", en: "audio: the file is not a recording in a supported format ({formats}); the format is read from the file's bytes, not its name"},
	codeUnsupportedFormat:  {ru: "неподдерживаемый формат", en: "unsupported format"},
	codeAudioTooLarge:      {ru: "audio: запись больше предела в {limit}", en: "audio: the recording is larger than the limit of {limit}"},
	codeFieldBytes:         {ru: "не больше {max} байт", en: "must be at most {max} bytes"},
	codeUploadStore:        {ru: "не удалось сохранить загруженный файл", en: "cannot store the upload"},
	codeTranscriberHint:    {ru: "для аудио нужно распознавание речи, а оно не настроено: задайте OPENAI_API_KEY (или OPENAI_BASE_URL для OpenAI-совместимого сервера) и перезапустите сервер", en: "{hint}"},
	codeURLFetchMissing:    {ru: "для анализа записи по ссылке нужна загрузка по URL, а она не настроена", en: "analysing a recording by URL needs a URL fetcher, and none is configured"},
	codeWebhooksMissing:    {ru: "для вебхуков нужна очередь задач, а она не настроена", en: "webhooks need a job queue and none is configured"},
	codeHistoryMissing:     {ru: "для истории звонков нужно хранилище, а оно не настроено: задайте AUDIT_DATABASE_URL (путь к файлу SQLite или адрес postgres://)", en: "call history needs a store and none is configured: set AUDIT_DATABASE_URL (a SQLite file path or a postgres:// URL)"},
	codeEnergyOnly:         {ru: "речь не распознана и текст не анализировался: распознавание речи на сервере не настроено, поэтому разговор измерен только по громкости двух каналов стереозаписи (время речи и доля каждой стороны, паузы, перебивания, самый длинный монолог); оценки и критериев нет, звонок не сохранён в истории", en: "the speech was not transcribed and the text was not analysed: this server has no speech-to-text, so the conversation was measured from the loudness of the stereo recording's two channels only (each side's talk time and share, silences, interruptions, the longest monologue); there is no score and no criteria, and the call is not saved in the history"},
	codeAnswerNotEncodable: {ru: "ответ не удаётся записать в JSON", en: "the answer cannot be encoded as JSON"},
	codeReviewsMissing:     {ru: "настроенное хранилище не хранит проверки звонков; используйте хранилище SQL или в памяти", en: "the configured store keeps no reviews; use the SQL or in-memory store"},
	codeDisputeID:          {ru: "нужен номер спора (1, 2, …)", en: "must be a dispute id (1, 2, …)"},
	codeVersionNeedsCard:   {ru: "версия указывается вместе с scorecard", en: "needs scorecard"},
	codeScorecardsMissing:  {ru: "карты оценки на этом сервере не настроены", en: "scorecards are not configured on this server"},
	codeScorecardDefault:   {ru: "карту оценки по умолчанию меняет только администратор", en: "only an admin may change the default scorecard"},
	codeScorecardTeam:      {ru: "укажите одну из ваших команд: {teams}", en: "must be one of your teams: {teams}"},
	codeScorecardOtherTeam: {ru: "карта оценки {id} принадлежит команде {team}, а не вашей", en: "scorecard {id} belongs to team {team}, not to yours"},
	codeScorecardID:        {ru: "id в файле ({file_id}) не совпадает с картой оценки {id}", en: "the file's id {file_id} is not the scorecard's {id}"},
	codeRescoreMissing:     {ru: "для переоценки нужна очередь задач, она работает при настроенном распознавании речи; или выполните: callaudit rescore", en: "rescoring needs the job queue, which runs with speech-to-text configured; or run: callaudit rescore"},
	// Accounts and access.
	codeSignInNeeded:        {ru: "сначала войдите: нужен cookie сеанса (POST /login) или API-токен (Authorization: Bearer ca_…)", en: "sign in first: send the session cookie (POST /login) or an API token (Authorization: Bearer ca_…)"},
	codeAuthHeader:          {ru: "заголовок Authorization должен быть таким: Bearer ca_…", en: "the Authorization header must be: Bearer ca_…"},
	codeCrossOrigin:         {ru: "запрос с чужого сайта отклонён: отправляйте его со страниц этого сервера или с API-токеном", en: "cross-origin request refused: send it from this server's own pages, or use an API token"},
	codeRoleForbidden:       {ru: "роли {role} это недоступно ({permission}): обратитесь к администратору", en: "the {role} role may not {permission} here: ask an admin"},
	codeScopeForbidden:      {ru: "этому токену это недоступно ({permission}): создайте токен с нужным правом", en: "this token may not {permission} here: create a token with the scope this needs"},
	codeStatsOutside:        {ru: "эта статистика вам недоступна", en: "these statistics are outside what you may see"},
	codeManagerOutside:      {ru: "вы не можете анализировать звонки менеджера {manager}", en: "you may not analyse calls of manager {manager}"},
	codeCallIDTaken:         {ru: "call_id {id} занят звонком, который вам недоступен; выберите другой", en: "call_id {id} is taken by a call you may not change; choose another"},
	codeSignInLimit:         {ru: "слишком много неудачных попыток входа; подождите {seconds} с и попробуйте снова", en: "too many failed sign-ins; wait {seconds} s and try again"},
	codeAnalyzeLimit:        {ru: "слишком много запросов на анализ; подождите и повторите", en: "too many analyse requests; wait and retry"},
	codeAccountsOff:         {ru: "учётные записи на этом сервере выключены", en: "this server keeps no accounts (accounts are switched off)"},
	access.CodeSignInWrong:  {ru: "неверный логин или пароль", en: "the login or the password is wrong"},
	access.CodeSessionEnded: {ru: "сеанс закончился: войдите снова", en: "the session has ended: sign in again"},
	access.CodeTokenUnknown: {ru: "API-токен неизвестен или отозван", en: "the API token is unknown or revoked"},
	access.CodeTokenPrefix:  {ru: "API-токен начинается с ca_", en: "an API token starts with ca_"},
	access.CodeLoginExists:  {ru: "пользователь с таким логином уже есть", en: "a user with this login exists"},
	access.CodeLoginSpaces:  {ru: "обязательное поле, без пробелов", en: "must not be empty or hold spaces"},
	access.CodeLastAdmin:    {ru: "это последний действующий администратор: сначала назначьте другого", en: "this is the last active admin: make another admin first"},
	access.CodeFirstAdmin:   {ru: "первая учётная запись должна быть администратором", en: "the first account must be an admin"},
	access.CodeManagerIDFor: {ru: "менеджеру нужен manager_id, с которым приходят его звонки", en: "a manager needs the manager_id their calls carry"},
}

// text renders the message of code in lang with params; fallback (the
// error's own English message) when the catalogue lacks the code.
func text(lang string, code callaudit.Code, params map[string]string, fallback string) string {
	m, ok := catalogue[code]
	if !ok || code == "" {
		return fallback
	}
	s := m.en
	if lang == langRU {
		s = m.ru
	}
	if len(params) == 0 || !strings.Contains(s, "{") {
		return s
	}
	if host := params["host"]; host != "" && strings.Contains(s, "{service}") {
		// An OpenAI-compatible server other than OpenAI's, named in lang.
		params = maps.Clone(params)
		params["service"] = text(lang, codeServerNamed, map[string]string{"host": host}, host)
	}
	pairs := make([]string, 0, 2*len(params))
	for k, v := range params {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
