// callaudit web UI: one page with hash routes (#/, #/history, #/managers,
// #/managers/{id}, #/calls/{id}) over the server's JSON API.
//
// No framework and no build step. Every node is made with h(), which puts
// strings in as text, never as markup: transcripts and reports are text
// from callers and models and must not be able to inject anything.

const SVG_NS = 'http://www.w3.org/2000/svg';
const LANG_KEY = 'callaudit.lang';
const MODES = ['Manager+', 'Client+', 'Диалог'];
const STATUSES = ['queued', 'processing', 'done', 'failed'];
const PAGE_SIZE = 25;
const POLL_MS = 3000;

// ---------------------------------------------------------------- strings

const I18N = {
  ru: {
    skip: 'Перейти к содержимому',
    nav: 'Разделы',
    navAnalyze: 'Анализ',
    navHistory: 'История',
    navManagers: 'Менеджеры',
    navDocs: 'API',
    footer: 'callaudit — аудит звонков отдела продаж',
    switchLang: 'Switch to English',
    langButton: 'EN',

    analyzeTitle: 'Анализ звонка',
    analyzeLead: 'Вставьте диалог или загрузите запись: оценка, разбор по критериям и рекомендации менеджеру.',
    source: 'Что анализируем',
    sourceText: 'Текст диалога',
    sourceAudio: 'Аудиозапись',
    dialogLabel: 'Диалог',
    dialogHint: 'Реплики с метками говорящих: «Менеджер: …», «Клиент: …» — по строкам или в одну строку.',
    dialogPlaceholder: 'Менеджер: Добрый день! Меня зовут Анна, компания «ТаскФлоу»…\nКлиент: Здравствуйте…',
    audioLabel: 'Файл записи',
    dropHint: 'Перетащите файл сюда или нажмите, чтобы выбрать',
    audioFormats: 'MP3, WAV, M4A, OGG, WEBM, FLAC — до {max}. Стерео: менеджер и клиент на разных каналах.',
    audioFormatsWav: 'Стереозапись WAV — до {max}.',
    audioOff: 'Распознавание речи на сервере не настроено, поэтому запись не будет обработана. Администратору: задайте OPENAI_API_KEY (или адрес совместимого сервера) и перезапустите сервер. Текст диалога анализируется и без этого.',
    audioEnergyOnly: 'Распознавание речи на сервере не настроено, поэтому запись не расшифровывается и не оценивается по критериям: измеряются только стереозаписи WAV (менеджер и клиент на разных каналах) — время и доля речи каждой стороны, паузы, перебивания. Записи в других форматах и моно обработаны не будут. Администратору: чтобы включить распознавание речи, задайте OPENAI_API_KEY (или адрес совместимого сервера) и перезапустите сервер.',
    energyTitle: 'Измерение по каналам записи',
    energyManagerChannel: 'Канал менеджера',
    'channel:left': 'левый',
    'channel:right': 'правый',
    managerTalk: 'Речь менеджера',
    clientTalk: 'Речь клиента',
    chooseFile: 'Выберите файл записи.',
    audioOffSubmit: 'Отправить запись нельзя: на сервере не настроено распознавание речи (см. выше). Вставьте текст диалога на вкладке «Текст диалога».',
    fileTooBig: 'Файл {size} больше допустимых {max}.',
    fileChosen: 'Выбран файл: {name} ({size})',
    modeLabel: 'Режим анализа',
    'mode:Manager+': 'Manager+',
    'mode:Client+': 'Client+',
    'mode:Диалог': 'Диалог',
    'modeDesc:Manager+': 'работа менеджера по этапам продажи',
    'modeDesc:Client+': 'реакции клиента: интерес, возражения, готовность купить',
    'modeDesc:Диалог': 'общее качество разговора',
    details: 'Дополнительно',
    callId: 'ID звонка',
    managerId: 'ID менеджера',
    optional: 'необязательно',
    callIdHint: 'Из CRM или телефонии. Если звонок с таким ID уже есть в истории, страница предложит заменить его.',
    replaceCall: 'Заменить звонок в истории',
    reportLang: 'Язык отчёта',
    langAuto: 'Как в диалоге',
    langRu: 'Русский',
    langEn: 'English',
    submit: 'Проанализировать',
    uploading: 'Загрузка записи… {pct}%',
    processingAudio: 'Распознаём речь и оцениваем…',
    processingText: 'Оцениваем…',
    errorTitle: 'Не получилось',
    networkError: 'Сервер недоступен. Проверьте соединение и повторите.',
    httpError: 'Сервер ответил ошибкой {status}.',

    score: 'Оценка',
    outOf: 'из 100',
    'band:good': 'Хороший звонок',
    'band:mid': 'Есть что улучшить',
    'band:low': 'Слабый звонок',
    summary: 'Итог',
    recommendations: 'Рекомендации',
    criteria: 'Критерии',
    weight: 'вес {w}',
    evidence: 'Цитаты',
    notGrounded: 'нет в расшифровке',
    showInTranscript: 'Показать реплику №{n} в расшифровке',
    metrics: 'Метрики разговора',
    talkShare: 'Доля речи (по словам)',
    talkShareTime: 'Доля речи (по времени)',
    'role:manager': 'Менеджер',
    'role:client': 'Клиент',
    'role:unknown': 'Не определён',
    managerQuestions: 'Вопросов задал менеджер',
    clientQuestions: 'Вопросов задал клиент',
    longestMonologue: 'Самый длинный монолог',
    turns: 'Смен говорящего (реплик)',
    duration: 'Длительность',
    silence: 'Паузы',
    longestSilence: 'Самая длинная пауза',
    interruptions: 'Перебивания',
    managerInterruptions: 'из них менеджером: {n}',
    transcript: 'Расшифровка',
    showTranscript: 'Расшифровка ({n})',
    meta: 'О разборе',
    metaMode: 'Режим',
    metaLanguage: 'Язык',
    metaScorer: 'Оценщик',
    metaModel: 'Модель',
    metaTranscriber: 'Распознавание',
    metaTime: 'Время обработки',
    metaTokens: 'Токены',
    metaCall: 'Звонок',
    metaManager: 'Менеджер',
    metaCreated: 'Создан',
    ms: '{n} мс',
    words: ['слово', 'слова', 'слов'],
    segments: ['реплика', 'реплики', 'реплик'],
    calls: ['звонок', 'звонка', 'звонков'],

    historyTitle: 'История звонков',
    filters: 'Фильтры',
    from: 'Дата с',
    to: 'Дата по',
    minScore: 'Оценка от',
    maxScore: 'Оценка до',
    mode: 'Режим',
    status: 'Статус',
    any: 'Любой',
    apply: 'Применить',
    reset: 'Сбросить',
    exportCsv: 'Выгрузить CSV',
    colDate: 'Дата',
    colCall: 'Звонок',
    colManager: 'Менеджер',
    colMode: 'Режим',
    colStatus: 'Статус',
    colScore: 'Оценка',
    loadMore: 'Показать ещё',
    loading: 'Загрузка…',
    noCalls: 'Звонков не найдено.',
    shown: 'Показано: {n}',
    'status:queued': 'В очереди',
    'status:processing': 'Обрабатывается',
    'status:done': 'Готов',
    'status:failed': 'Ошибка',

    managersTitle: 'Менеджеры',
    managersLead: 'Рейтинг по средней оценке за период. Динамика — разница между второй и первой половиной периода.',
    colRank: '№',
    colCount: 'Звонков',
    colAverage: 'Средняя',
    colTrend: 'Динамика',
    colLast: 'Последний звонок',
    noManagers: 'Нет оценённых звонков за период.',

    managerTitle: 'Менеджер {id}',
    statCount: 'Звонков',
    statAverage: 'Средняя',
    statMin: 'Минимум',
    statMax: 'Максимум',
    bucket: 'Шаг графика',
    'bucket:day': 'По дням',
    'bucket:week': 'По неделям',
    chartTitle: 'Оценка по времени',
    chartLabel: 'График средней оценки: {n} точек от {from} до {to}',
    chartPoint: '{date}: {avg} ({count})',
    chartEmpty: 'Нет оценённых звонков за период.',
    criteriaAvgMode: 'Средние по критериям режима {mode}',
    statsMode: 'Режим статистики',
    statsModeHint: 'У каждого режима свои критерии, поэтому оценки режимов не смешиваются.',
    recentCalls: 'Последние звонки',
    allCalls: 'Все звонки менеджера →',

    callTitle: 'Звонок {id}',
    callSource: 'Источник',
    'source:text': 'текст',
    'source:audio': 'аудиофайл',
    'source:url': 'ссылка на запись',
    'source:webhook': 'вебхук',
    'source:transcript': 'расшифровка',
    recording: 'Запись',
    updated: 'Обновлён',
    reason: 'Причина',
    waiting: 'Отчёт появится после обработки; страница обновляется сама.',
    openCall: 'Карточка звонка',
    backToHistory: '← К истории',
    notFound: 'Такой страницы нет.',
    retry: 'Повторить',
  },
  en: {
    skip: 'Skip to content',
    nav: 'Sections',
    navAnalyze: 'Analyse',
    navHistory: 'History',
    navManagers: 'Managers',
    navDocs: 'API',
    footer: 'callaudit — sales call audit',
    switchLang: 'Переключить на русский',
    langButton: 'RU',

    analyzeTitle: 'Analyse a call',
    analyzeLead: 'Paste a dialog or upload a recording: get a score, a per-criterion breakdown and advice for the manager.',
    source: 'What to analyse',
    sourceText: 'Dialog text',
    sourceAudio: 'Recording',
    dialogLabel: 'Dialog',
    dialogHint: 'Turns with speaker labels: “Manager: …”, “Client: …”, one per line or all on one line.',
    dialogPlaceholder: 'Manager: Good afternoon! This is Anna from TaskFlow…\nClient: Hello…',
    audioLabel: 'Recording file',
    dropHint: 'Drop a file here or click to choose one',
    audioFormats: 'MP3, WAV, M4A, OGG, WEBM, FLAC, up to {max}. Stereo: manager and client on separate channels.',
    audioFormatsWav: 'A stereo WAV recording, up to {max}.',
    audioOff: 'Speech-to-text is not configured on the server, so a recording cannot be processed. Administrator: set OPENAI_API_KEY (or the address of a compatible server) and restart the server. Text dialogs work without it.',
    audioEnergyOnly: 'Speech-to-text is not configured on the server, so a recording is neither transcribed nor scored against the criteria: only stereo WAV recordings (manager and client on separate channels) are measured — each side\'s talk time and share, silences, interruptions. Other formats and mono recordings cannot be processed. Administrator: to enable speech-to-text, set OPENAI_API_KEY (or the address of a compatible server) and restart the server.',
    energyTitle: 'Measured from the recording\'s channels',
    energyManagerChannel: 'Manager\'s channel',
    'channel:left': 'left',
    'channel:right': 'right',
    managerTalk: 'Manager\'s talk time',
    clientTalk: 'Client\'s talk time',
    chooseFile: 'Choose a recording file.',
    audioOffSubmit: 'A recording cannot be sent: speech-to-text is not configured on the server (see above). Paste the dialog under “Dialog text” instead.',
    fileTooBig: 'The file is {size}, more than the allowed {max}.',
    fileChosen: 'Chosen: {name} ({size})',
    modeLabel: 'Analysis mode',
    'mode:Manager+': 'Manager+',
    'mode:Client+': 'Client+',
    'mode:Диалог': 'Dialog',
    'modeDesc:Manager+': 'the manager’s work through the sales stages',
    'modeDesc:Client+': 'the client’s reactions: interest, objections, readiness to buy',
    'modeDesc:Диалог': 'overall quality of the conversation',
    details: 'More options',
    callId: 'Call ID',
    managerId: 'Manager ID',
    optional: 'optional',
    callIdHint: 'From your CRM or telephony. When the history already has a call with this ID, the page offers to replace it.',
    replaceCall: 'Replace the call in the history',
    reportLang: 'Report language',
    langAuto: 'Same as the dialog',
    langRu: 'Русский',
    langEn: 'English',
    submit: 'Analyse',
    uploading: 'Uploading the recording… {pct}%',
    processingAudio: 'Transcribing and scoring…',
    processingText: 'Scoring…',
    errorTitle: 'That did not work',
    networkError: 'The server cannot be reached. Check the connection and try again.',
    httpError: 'The server answered with error {status}.',

    score: 'Score',
    outOf: 'out of 100',
    'band:good': 'Good call',
    'band:mid': 'Room to improve',
    'band:low': 'Weak call',
    summary: 'Summary',
    recommendations: 'Recommendations',
    criteria: 'Criteria',
    weight: 'weight {w}',
    evidence: 'Evidence',
    notGrounded: 'not in the transcript',
    showInTranscript: 'Show turn #{n} in the transcript',
    metrics: 'Conversation metrics',
    talkShare: 'Talk share (by words)',
    talkShareTime: 'Talk share (by time)',
    'role:manager': 'Manager',
    'role:client': 'Client',
    'role:unknown': 'Unknown',
    managerQuestions: 'Questions the manager asked',
    clientQuestions: 'Questions the client asked',
    longestMonologue: 'Longest monologue',
    turns: 'Speaker turns',
    duration: 'Duration',
    silence: 'Silence',
    longestSilence: 'Longest pause',
    interruptions: 'Interruptions',
    managerInterruptions: 'by the manager: {n}',
    transcript: 'Transcript',
    showTranscript: 'Transcript ({n})',
    meta: 'About this report',
    metaMode: 'Mode',
    metaLanguage: 'Language',
    metaScorer: 'Scorer',
    metaModel: 'Model',
    metaTranscriber: 'Speech-to-text',
    metaTime: 'Processing time',
    metaTokens: 'Tokens',
    metaCall: 'Call',
    metaManager: 'Manager',
    metaCreated: 'Created',
    ms: '{n} ms',
    words: ['word', 'words'],
    segments: ['turn', 'turns'],
    calls: ['call', 'calls'],

    historyTitle: 'Call history',
    filters: 'Filters',
    from: 'From',
    to: 'To',
    minScore: 'Min score',
    maxScore: 'Max score',
    mode: 'Mode',
    status: 'Status',
    any: 'Any',
    apply: 'Apply',
    reset: 'Reset',
    exportCsv: 'Export CSV',
    colDate: 'Date',
    colCall: 'Call',
    colManager: 'Manager',
    colMode: 'Mode',
    colStatus: 'Status',
    colScore: 'Score',
    loadMore: 'Load more',
    loading: 'Loading…',
    noCalls: 'No calls found.',
    shown: 'Shown: {n}',
    'status:queued': 'Queued',
    'status:processing': 'Processing',
    'status:done': 'Done',
    'status:failed': 'Failed',

    managersTitle: 'Managers',
    managersLead: 'Ranked by average score in the period. Trend is the second half of the period minus the first.',
    colRank: '#',
    colCount: 'Calls',
    colAverage: 'Average',
    colTrend: 'Trend',
    colLast: 'Last call',
    noManagers: 'No scored calls in the period.',

    managerTitle: 'Manager {id}',
    statCount: 'Calls',
    statAverage: 'Average',
    statMin: 'Lowest',
    statMax: 'Highest',
    bucket: 'Chart step',
    'bucket:day': 'Daily',
    'bucket:week': 'Weekly',
    chartTitle: 'Score over time',
    chartLabel: 'Average score chart: {n} points from {from} to {to}',
    chartPoint: '{date}: {avg} ({count})',
    chartEmpty: 'No scored calls in the period.',
    criteriaAvgMode: 'Criterion averages, {mode} mode',
    statsMode: 'Statistics mode',
    statsModeHint: 'Each mode has its own criteria, so the scores of different modes are never mixed.',
    recentCalls: 'Recent calls',
    allCalls: 'All of this manager’s calls →',

    callTitle: 'Call {id}',
    callSource: 'Source',
    'source:text': 'text',
    'source:audio': 'audio file',
    'source:url': 'recording URL',
    'source:webhook': 'webhook',
    'source:transcript': 'transcript',
    recording: 'Recording',
    updated: 'Updated',
    reason: 'Reason',
    waiting: 'The report appears once the call is processed; this page refreshes by itself.',
    openCall: 'Call page',
    backToHistory: '← Back to history',
    notFound: 'There is no such page.',
    retry: 'Try again',
  },
};

const state = {
  lang: initialLang(),
  config: null,
  rubrics: {}, // `${lang}|${mode}` → {titles: {criterion id → title}, order: [ids]}
  form: { source: 'text', text: '', mode: MODES[0], call_id: '', manager_id: '', language: '', file: null },
  busy: false,
  progress: null, // {phase: 'upload'|'processing', pct}
  error: null, // ApiError of the last analysis
  result: null, // report of the last analysis
  routeAbort: null, // AbortController of the current view's requests
  me: null, // GET /me: who is signed in and what they may do; null: nobody
  flash: '', // a message for the next page drawn (after a role swap)
};

function initialLang() {
  try {
    const v = localStorage.getItem(LANG_KEY);
    if (v === 'ru' || v === 'en') return v;
  } catch (_) {
    // Storage may be disabled; Russian is the default anyway.
  }
  return 'ru';
}

function t(key, vars) {
  let s = I18N[state.lang][key] ?? I18N.ru[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// plural picks the form of a counted noun: Russian has three.
function plural(key, n) {
  const forms = I18N[state.lang][key];
  const rule = new Intl.PluralRules(state.lang).select(n);
  if (state.lang === 'ru') return forms[rule === 'one' ? 0 : rule === 'few' ? 1 : 2];
  return forms[rule === 'one' ? 0 : 1];
}

const locale = () => (state.lang === 'ru' ? 'ru-RU' : 'en-GB');
const fmtNum = (n, digits = 1) => new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n);

function fmtDate(s, withTime = true) {
  const d = new Date(s);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1971) return '—';
  return d.toLocaleString(locale(), withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
}

function fmtClock(sec) {
  if (sec == null || !Number.isFinite(sec)) return '';
  const s = Math.max(0, Math.round(sec));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

function fmtBytes(n) {
  const units = state.lang === 'ru' ? ['Б', 'КБ', 'МБ', 'ГБ'] : ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${fmtNum(n, i === 0 ? 0 : 1)} ${units[i]}`;
}

function band(score) {
  if (score >= 75) return 'good';
  if (score >= 50) return 'mid';
  return 'low';
}

// ---------------------------------------------------------------- DOM

// h builds an element. Strings among children become text nodes; attributes
// go through setAttribute, "on…" keys become listeners and "style" is set
// through the CSSOM, which the Content-Security-Policy allows.
function h(tag, attrs, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS(SVG_NS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'style') Object.assign(el.style, v);
    else if (!svg && (k === 'value' || k === 'checked' || k === 'selected')) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// fill replaces an element's children, skipping null and false as h does
// (replaceChildren itself would print them as "null").
function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// safeURL lets only http(s) links through: a recording URL comes from a
// webhook sender and could be "javascript:".
function safeURL(s) {
  try {
    const u = new URL(s, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch (_) {
    return null;
  }
}

const view = () => document.getElementById('view');

function setView(...children) {
  const v = view();
  v.replaceChildren();
  append(v, children);
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, message, code, fields) {
    super(message || '');
    this.status = status;
    this.code = code || '';
    this.fields = fields || [];
  }

  // text is what a person reads: the server's message when it sent the
  // JSON error shape, a generic line otherwise.
  text() {
    if (this.message) return this.message;
    if (this.status === 0) return t('networkError');
    return t('httpError', { status: this.status });
  }
}

function apiError(status, body) {
  const e = body && typeof body === 'object' ? body.error : null;
  if (!e) return new ApiError(status);
  return new ApiError(status, e.message, e.code, Array.isArray(e.fields) ? e.fields : []);
}

// The server writes its error messages in the language of Accept-Language;
// the UI asks for its own, whatever the browser's preference.
async function api(path, { method = 'GET', json, signal } = {}) {
  const init = { method, signal, headers: { Accept: 'application/json', 'Accept-Language': state.lang } };
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0);
  }
  let body = null;
  if ((res.headers.get('Content-Type') || '').includes('json')) {
    try {
      body = await res.json();
    } catch (err) {
      if (err.name === 'AbortError') throw err;
    }
  }
  if (res.status === 401 && state.me && path !== '/login') {
    // The session ended (signed out elsewhere, expired, password changed).
    state.me = null;
    updateHeader();
    location.hash = '#/login';
  }
  if (!res.ok) throw apiError(res.status, body);
  return body;
}

// uploadAudio posts the form with XMLHttpRequest because fetch reports no
// upload progress. onPhase('upload', fraction) runs while bytes go out and
// onPhase('processing') once they are all sent.
function uploadAudio(form, onPhase) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/analyze_audio_call');
    xhr.responseType = 'json';
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', state.lang);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onPhase('upload', e.loaded / e.total);
    });
    xhr.upload.addEventListener('load', () => onPhase('processing'));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300 && xhr.response) resolve(xhr.response);
      else reject(apiError(xhr.status, xhr.response));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0)));
    xhr.addEventListener('abort', () => reject(new ApiError(0)));
    onPhase('upload', 0);
    xhr.send(form);
  });
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function loadConfig() {
  try {
    state.config = await api('/config');
  } catch (_) {
    // Without /config the UI still works: audio is offered and the server
    // explains if it cannot transcribe.
    state.config = null;
  }
  const ver = document.getElementById('version');
  if (ver && state.config && state.config.version) ver.textContent = `· ${state.config.version}`;
}

// rubricFor returns the criteria of one mode's default rubric in the UI
// language ({titles: id → title, order: [ids]}), fetched once per language
// and mode. Modes have different criteria, so a page shows one mode's at a
// time; when the rubric cannot be fetched, ids show as themselves.
async function rubricFor(mode, signal) {
  const key = `${state.lang}|${mode}`;
  if (state.rubrics[key]) return state.rubrics[key];
  const out = { titles: {}, order: [] };
  try {
    const r = await api(`/rubric${query({ mode, language: state.lang })}`, { signal });
    for (const c of (r && r.criteria) || []) {
      out.order.push(c.id);
      out.titles[c.id] = c.title || c.id;
    }
    state.rubrics[key] = out;
  } catch (err) {
    if (err.name === 'AbortError') throw err;
  }
  return out;
}

// modeSwitch is the one-of-three mode control of the statistics pages.
// current is the mode from the address, as typed; the page marks the mode
// the server answered for with markMode, so spellings are parsed in one
// place (the server).
function modeSwitch(current, onChange) {
  return h(
    'fieldset',
    { class: 'segmented compact mode-switch', id: 'mode-switch', 'aria-describedby': 'mode-switch-hint' },
    h('legend', null, t('statsMode')),
    MODES.map((m) => h(
      'label',
      { class: 'seg-opt' },
      h('input', { type: 'radio', name: 'mode', value: m, checked: (current || MODES[0]) === m, onchange: () => onChange(m) }),
      h('span', null, modeName(m)),
    )),
    h('p', { class: 'hint', id: 'mode-switch-hint' }, t('statsModeHint')),
  );
}

// markMode checks the switch's radio for the mode an answer states.
function markMode(mode) {
  for (const r of document.querySelectorAll('#mode-switch input[name=mode]')) r.checked = r.value === mode;
}

// ---------------------------------------------------------------- shared pieces

function errorBox(err, onRetry, retryLabel) {
  return h(
    'div',
    { class: 'alert', role: 'alert' },
    h('strong', null, t('errorTitle')),
    h('p', null, err instanceof ApiError ? err.text() : String(err)),
    onRetry ? h('button', { type: 'button', class: 'btn small', onclick: onRetry }, retryLabel || t('retry')) : null,
  );
}

function scoreChip(score) {
  if (score == null) return h('span', { class: 'chip muted' }, '—');
  return h('span', { class: `chip band-${band(score)}` }, fmtNum(score, 0));
}

function statusBadge(status) {
  const known = STATUSES.includes(status);
  return h('span', { class: `status status-${known ? status : 'unknown'}` }, known ? t(`status:${status}`) : status || '—');
}

function modeName(mode) {
  return MODES.includes(mode) ? t(`mode:${mode}`) : mode || '—';
}

function bar(value, label) {
  const v = Math.max(0, Math.min(100, Number(value) || 0));
  return h(
    'div',
    { class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(v), 'aria-label': label },
    h('div', { class: `bar-fill band-${band(v)}`, style: { width: `${v}%` } }),
  );
}

function field(id, label, control, hint) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('p', { class: 'field-error', id: `${id}-err`, hidden: true }),
  );
}

// ---------------------------------------------------------------- report

// metaList is a list of [label, value] rows as a <dl>, leaving out the
// rows without a value.
function metaList(rows, attrs = { class: 'meta' }) {
  const shown = rows.filter(([, v]) => v != null && v !== '');
  return h('dl', attrs, shown.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))));
}

function renderReport(rep, { callLink = true } = {}) {
  if (rep && rep.analysis === 'energy_only') return renderEnergyReport(rep);
  const total = Number(rep.total_score) || 0;
  const b = band(total);
  const meta = rep.meta || {};
  const segments = (rep.transcript && Array.isArray(rep.transcript.segments) && rep.transcript.segments) || [];
  const transcriptId = `transcript-${Math.random().toString(36).slice(2, 8)}`;

  const showSegment = (i) => {
    const det = document.getElementById(transcriptId);
    if (!det) return;
    det.open = true;
    const li = det.querySelector(`[data-seg="${i}"]`);
    if (!li) return;
    det.querySelectorAll('.seg.hl').forEach((x) => x.classList.remove('hl'));
    li.classList.add('hl');
    li.scrollIntoView({ block: 'center', behavior: 'smooth' });
    li.focus({ preventScroll: true });
  };

  const recs = Array.isArray(rep.recommendation_list) && rep.recommendation_list.length
    ? rep.recommendation_list
    : String(rep.recommendations || '').split('\n').map((s) => s.replace(/^\s*(?:[-•*]|\d+[.)])\s*/, '').trim()).filter(Boolean);

  const metaRows = [
    [t('metaMode'), modeName(meta.mode)],
    [t('metaLanguage'), meta.language],
    [t('metaScorer'), [meta.scorer, meta.scorer_version].filter(Boolean).join(' ')],
    [t('metaModel'), meta.model],
    [t('metaTranscriber'), meta.transcriber],
    [t('metaRoles'), rolesText(rep.transcript)],
    [t('metaManager'), meta.manager_id ? h('a', { href: `#/managers/${encodeURIComponent(meta.manager_id)}` }, meta.manager_id) : null],
    [t('metaCall'), meta.call_id ? (callLink ? h('a', { href: `#/calls/${encodeURIComponent(meta.call_id)}` }, meta.call_id) : meta.call_id) : null],
    [t('metaTime'), meta.timings && meta.timings.total_ms != null ? t('ms', { n: fmtNum(meta.timings.total_ms, 0) }) : null],
    [t('metaTokens'), meta.usage && meta.usage.total_tokens ? fmtNum(meta.usage.total_tokens, 0) : null],
    [t('metaCreated'), meta.created_at ? fmtDate(meta.created_at) : null],
  ];

  return h(
    'section',
    { class: 'report', 'aria-label': t('score') },
    h(
      'div',
      { class: 'report-head' },
      h(
        'div',
        { class: `score-card band-${b}` },
        h('div', { class: 'score-label' }, t('score')),
        h('div', { class: 'score-num', id: 'score-value' }, String(total)),
        h('div', { class: 'score-out' }, t('outOf')),
        h('div', { class: 'score-band' }, t(`band:${b}`)),
      ),
      h(
        'div',
        { class: 'report-summary' },
        h('h2', null, t('summary')),
        h('p', { class: 'prose' }, rep.summary || '—'),
        metaList(metaRows),
      ),
    ),
    rolesNotice(rep),
    recs.length
      ? h('section', { class: 'card recs' }, h('h2', null, t('recommendations')), h('ol', { class: 'rec-list' }, recs.map((r) => h('li', null, r))))
      : null,
    h(
      'section',
      { class: 'card' },
      h('h2', null, t('criteria')),
      h('ul', { class: 'criteria' }, (rep.details || []).map((d) => renderCriterion(d, segments, showSegment))),
    ),
    renderMetrics(rep.metrics),
    segments.length
      ? h(
        'details',
        { class: 'card transcript', id: transcriptId },
        h('summary', null, h('h2', null, t('showTranscript', { n: `${segments.length} ${plural('segments', segments.length)}` }))),
        h(
          'ol',
          { class: 'segments' },
          segments.map((s, i) => h(
            'li',
            { class: `seg seg-${s.speaker || 'unknown'}`, 'data-seg': i, tabindex: -1 },
            h('span', { class: 'seg-who' }, t(`role:${s.speaker || 'unknown'}`),
              s.label ? h('span', { class: 'seg-label' }, s.label) : null,
              s.start != null ? h('span', { class: 'ts' }, fmtClock(s.start)) : null),
            h('span', { class: 'seg-text' }, s.text),
          )),
        ),
      )
      : null,
  );
}

function renderCriterion(d, segments, showSegment) {
  const title = d.title || d.id;
  return h(
    'li',
    { class: 'criterion', 'data-criterion': d.id },
    h(
      'div',
      { class: 'crit-head' },
      h('span', { class: 'crit-title' }, title),
      h('span', { class: 'crit-weight' }, t('weight', { w: fmtNum(d.weight, 2) })),
      h('span', { class: `crit-score band-text-${band(d.score)}` }, String(d.score)),
    ),
    bar(d.score, title),
    d.comment ? h('p', { class: 'crit-comment' }, d.comment) : null,
    Array.isArray(d.evidence) && d.evidence.length
      ? h(
        'ul',
        { class: 'evidence', 'aria-label': t('evidence') },
        d.evidence.map((e) => {
          let start = e.start;
          if (start == null && e.segment >= 0 && segments[e.segment]) start = segments[e.segment].start;
          const who = e.speaker || (e.segment >= 0 && segments[e.segment] ? segments[e.segment].speaker : '');
          return h(
            'li',
            { class: `quote${e.grounded === false ? ' ungrounded' : ''}` },
            h(
              'span',
              { class: 'quote-who' },
              who ? t(`role:${who}`) : null,
              start != null ? h('span', { class: 'ts' }, fmtClock(start)) : null,
              e.segment >= 0 && segments[e.segment]
                ? h('button', { type: 'button', class: 'linkish', 'aria-label': t('showInTranscript', { n: e.segment + 1 }), onclick: () => showSegment(e.segment) }, `#${e.segment + 1}`)
                : null,
            ),
            h('q', null, e.quote),
            e.grounded === false ? h('span', { class: 'warn' }, t('notGrounded')) : null,
          );
        }),
      )
      : null,
  );
}

// renderEnergyReport shows the answer of a server without speech-to-text
// to a stereo WAV (EnergyReport): the channels' figures and the server's
// note; there is no score, transcript or criteria, and nothing is saved.
function renderEnergyReport(rep) {
  const m = rep.metrics || {};
  const metaRows = [
    [t('energyManagerChannel'), rep.manager_channel ? t(`channel:${rep.manager_channel}`) : null],
    [t('managerTalk'), m.manager_talk_seconds != null ? fmtClock(m.manager_talk_seconds) : null],
    [t('clientTalk'), m.client_talk_seconds != null ? fmtClock(m.client_talk_seconds) : null],
    [t('metaManager'), rep.manager_id || null],
    [t('metaCall'), rep.call_id || null],
  ];
  return h(
    'section',
    { class: 'report energy-report', 'aria-label': t('energyTitle') },
    h(
      'section',
      { class: 'card' },
      h('h2', null, t('energyTitle')),
      h('p', { class: 'notice', id: 'energy-note' }, rep.note || ''),
      metaList(metaRows),
    ),
    renderMetrics(m, { words: false }),
  );
}

// renderMetrics shows a report's conversation figures; words false leaves
// out those counted in words (an energy-only measure has none).
function renderMetrics(m, { words = true } = {}) {
  if (!m) return null;
  const items = [];
  const shareBar = (label, share) => {
    const mgr = Math.round(Math.max(0, Math.min(1, share)) * 100);
    return h(
      'div',
      { class: 'share' },
      h('div', { class: 'share-label' }, label),
      h(
        'div',
        { class: 'share-bar', role: 'img', 'aria-label': `${label}: ${t('role:manager')} ${mgr}%, ${t('role:client')} ${100 - mgr}%` },
        h('div', { class: 'share-mgr', style: { width: `${mgr}%` } }),
        h('div', { class: 'share-cli', style: { width: `${100 - mgr}%` } }),
      ),
      h(
        'div',
        { class: 'share-legend' },
        h('span', { class: 'dot dot-mgr' }), `${t('role:manager')} ${mgr}%`,
        h('span', { class: 'dot dot-cli' }), `${t('role:client')} ${100 - mgr}%`,
      ),
    );
  };
  const shares = [];
  if (words && (m.manager_words || 0) + (m.client_words || 0) > 0) shares.push(shareBar(t('talkShare'), m.manager_talk_share || 0));
  if (m.manager_talk_share_by_time != null) shares.push(shareBar(t('talkShareTime'), m.manager_talk_share_by_time));

  if (words) {
    items.push([t('managerQuestions'), fmtNum(m.manager_questions || 0, 0)]);
    items.push([t('clientQuestions'), fmtNum(m.client_questions || 0, 0)]);
  }
  const mono = [];
  if (words) mono.push(`${fmtNum(m.longest_monologue_words || 0, 0)} ${plural('words', m.longest_monologue_words || 0)}`);
  if (m.longest_monologue_seconds != null) mono.push(fmtClock(m.longest_monologue_seconds));
  if (m.longest_monologue_speaker) mono.push(t(`role:${m.longest_monologue_speaker}`));
  if (mono.length) items.push([t('longestMonologue'), mono.join(' · ')]);
  items.push([t('turns'), fmtNum(m.turns || 0, 0)]);
  if (m.duration_seconds != null) items.push([t('duration'), fmtClock(m.duration_seconds)]);
  if (m.silence_seconds != null) items.push([t('silence'), fmtClock(m.silence_seconds)]);
  if (m.longest_silence_seconds != null) items.push([t('longestSilence'), fmtClock(m.longest_silence_seconds)]);
  if (m.interruptions != null) {
    const byManager = m.interruptions > 0 && m.manager_interruptions != null ? ` (${t('managerInterruptions', { n: m.manager_interruptions })})` : '';
    items.push([t('interruptions'), fmtNum(m.interruptions, 0) + byManager]);
  }
  return h(
    'section',
    { class: 'card metrics' },
    h('h2', null, t('metrics')),
    shares,
    h('dl', { class: 'figures' }, items.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))),
  );
}

// ---------------------------------------------------------------- analyze view

// audioOff says whether the server has said it can do nothing with a
// recording (GET /config): no speech-to-text and no energy-only measure;
// without /config audio is offered and the server explains.
function audioOff() {
  return !!(state.config && state.config.transcription === false && !state.config.energy_only);
}

// energyOnly says whether the server cannot transcribe but measures a
// stereo WAV from its channels (an EnergyReport, GET /config energy_only).
function energyOnly() {
  return !!(state.config && state.config.transcription === false && state.config.energy_only);
}

// audioBlocked says whether the form cannot be sent: audio is chosen and
// the server cannot transcribe it.
function audioBlocked() {
  return state.form.source === 'audio' && audioOff();
}

function renderAnalyze() {
  const f = state.form;
  const cfg = state.config;
  const noAudio = audioOff();
  const energy = energyOnly();
  const maxAudio = cfg && cfg.max_audio_bytes ? fmtBytes(cfg.max_audio_bytes) : '—';

  const sourceRadio = (value, label) => h(
    'label',
    { class: 'seg-opt' },
    h('input', {
      type: 'radio',
      name: 'source',
      value,
      checked: f.source === value,
      onchange: () => {
        f.source = value;
        document.getElementById('panel-text').hidden = value !== 'text';
        document.getElementById('panel-audio').hidden = value !== 'audio';
        renderProgress();
      },
    }),
    h('span', null, label),
  );

  const textarea = h('textarea', {
    id: 'f-dialog_text',
    name: 'dialog_text',
    rows: 12,
    spellcheck: 'false',
    placeholder: t('dialogPlaceholder'),
    'aria-describedby': 'f-dialog_text-hint f-dialog_text-err',
    value: f.text,
    oninput: (e) => {
      f.text = e.target.value;
    },
  });

  const fileInput = h('input', {
    id: 'f-audio',
    name: 'audio',
    type: 'file',
    class: 'visually-hidden',
    accept: energy ? '.wav,audio/wav,audio/x-wav' : 'audio/*,video/webm,video/mp4,.mp3,.wav,.m4a,.ogg,.oga,.opus,.webm,.flac,.mp4,.mpeg,.mpga,.aac,.amr',
    'aria-describedby': `${noAudio ? 'audio-off ' : ''}${energy ? 'audio-energy ' : ''}f-audio-hint f-audio-err`,
    disabled: noAudio,
    onchange: (e) => setFile(e.target.files && e.target.files[0]),
  });
  const fileName = h('span', { class: 'file-name', id: 'file-name', 'aria-live': 'polite' }, f.file ? t('fileChosen', { name: f.file.name, size: fmtBytes(f.file.size) }) : '');
  const drop = h(
    'label',
    {
      for: 'f-audio',
      class: noAudio ? 'drop disabled' : 'drop',
      id: 'drop',
      'aria-disabled': noAudio ? 'true' : null,
      ondragover: (e) => {
        e.preventDefault();
        if (!noAudio) e.currentTarget.classList.add('over');
      },
      ondragleave: (e) => e.currentTarget.classList.remove('over'),
      ondrop: (e) => {
        e.preventDefault();
        e.currentTarget.classList.remove('over');
        if (noAudio) return;
        const files = e.dataTransfer && e.dataTransfer.files;
        if (files && files.length) {
          try {
            fileInput.files = files;
          } catch (_) {
            // Older browsers cannot assign; the File is kept in state anyway.
          }
          setFile(files[0]);
        }
      },
    },
    h('span', { class: 'drop-icon', 'aria-hidden': 'true' }, '⬆'),
    h('span', { class: 'drop-text' }, t('dropHint')),
    fileName,
  );

  const modeRadios = MODES.map((m) => h(
    'label',
    { class: 'mode-opt' },
    h('input', { type: 'radio', name: 'content_mode', value: m, checked: f.mode === m, onchange: () => { f.mode = m; } }),
    h('span', { class: 'mode-name' }, t(`mode:${m}`)),
    h('span', { class: 'mode-desc' }, t(`modeDesc:${m}`)),
  ));

  const text = (id, key, label, hint) => field(
    `f-${id}`,
    h('span', null, label, ' ', h('span', { class: 'opt' }, `(${t('optional')})`)),
    h('input', {
      id: `f-${id}`, name: id, type: 'text', autocomplete: 'off', maxlength: 200, value: f[key],
      'aria-describedby': `${hint ? `f-${id}-hint ` : ''}f-${id}-err`,
      oninput: (e) => { f[key] = e.target.value; },
    }),
    hint,
  );

  const form = h(
    'form',
    { id: 'analyze-form', class: 'card form', novalidate: true, onsubmit: submitAnalysis, 'aria-busy': state.busy ? 'true' : 'false' },
    h('fieldset', { class: 'segmented' }, h('legend', null, t('source')), sourceRadio('text', t('sourceText')), sourceRadio('audio', t('sourceAudio'))),
    h(
      'div',
      { id: 'panel-text', hidden: f.source !== 'text' },
      field('f-dialog_text', t('dialogLabel'), textarea, t('dialogHint')),
    ),
    h(
      'div',
      { id: 'panel-audio', hidden: f.source !== 'audio' },
      noAudio ? h('p', { class: 'notice', id: 'audio-off' }, t('audioOff')) : null,
      energy ? h('p', { class: 'notice', id: 'audio-energy' }, t('audioEnergyOnly')) : null,
      h(
        'div',
        { class: 'field' },
        h('span', { class: 'label' }, t('audioLabel')),
        fileInput,
        drop,
        h('p', { class: 'hint', id: 'f-audio-hint' }, t(energy ? 'audioFormatsWav' : 'audioFormats', { max: maxAudio })),
        h('p', { class: 'field-error', id: 'f-audio-err', hidden: true }),
      ),
    ),
    h(
      'fieldset',
      { class: 'modes', id: 'f-content_mode', 'aria-describedby': 'f-content_mode-err' },
      h('legend', null, t('modeLabel')),
      h('div', { class: 'mode-grid' }, modeRadios),
      h('p', { class: 'field-error', id: 'f-content_mode-err', hidden: true }),
    ),
    h(
      'div',
      { class: 'grid3' },
      text('call_id', 'call_id', t('callId')),
      text('manager_id', 'manager_id', t('managerId')),
      field(
        'f-language',
        t('reportLang'),
        h(
          'select',
          { id: 'f-language', name: 'language', 'aria-describedby': 'f-language-err', onchange: (e) => { f.language = e.target.value; } },
          [['', t('langAuto')], ['ru', t('langRu')], ['en', t('langEn')]].map(([v, l]) => h('option', { value: v, selected: f.language === v }, l)),
        ),
      ),
    ),
    h('p', { class: 'hint' }, t('callIdHint')),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary', id: 'submit', disabled: state.busy || audioBlocked() }, t('submit')),
      h('div', { id: 'progress', class: 'progress', role: 'status', 'aria-live': 'polite' }),
    ),
    // Why the button is disabled, read with it by screen readers.
    h('p', { class: 'hint submit-reason', id: 'submit-reason', hidden: !audioBlocked() }, t('audioOffSubmit')),
    h('div', { id: 'form-error' }),
  );

  setView(
    h('h1', { tabindex: -1 }, t('analyzeTitle')),
    h('p', { class: 'lead' }, t('analyzeLead')),
    form,
    h('div', { id: 'result' }),
  );
  renderProgress();
  if (state.error) showError(state.error);
  if (state.result) fill(document.getElementById('result'), renderReport(state.result));
}

function setFile(file) {
  state.form.file = file || null;
  const el = document.getElementById('file-name');
  if (el) el.textContent = file ? t('fileChosen', { name: file.name, size: fmtBytes(file.size) }) : '';
  setFieldError('audio', '');
}

function renderProgress() {
  const el = document.getElementById('progress');
  if (!el) return;
  const btn = document.getElementById('submit');
  const blocked = audioBlocked();
  if (btn) {
    btn.disabled = state.busy || blocked;
    if (blocked) btn.setAttribute('aria-describedby', 'submit-reason');
    else btn.removeAttribute('aria-describedby');
  }
  const reason = document.getElementById('submit-reason');
  if (reason) reason.hidden = !blocked;
  const form = document.getElementById('analyze-form');
  if (form) form.setAttribute('aria-busy', state.busy ? 'true' : 'false');
  const p = state.progress;
  if (!state.busy || !p) {
    el.replaceChildren();
    el.className = 'progress';
    return;
  }
  el.className = `progress active phase-${p.phase}`;
  if (p.phase === 'upload') {
    const pct = Math.round((p.pct || 0) * 100);
    fill(el, h('progress', { max: 100, value: pct }), h('span', null, t('uploading', { pct })));
  } else {
    // No value: an indeterminate bar, the server does not report progress.
    fill(el, h('progress', null), h('span', null, t(p.audio ? 'processingAudio' : 'processingText')));
  }
}

function setFieldError(name, msg) {
  const err = document.getElementById(`f-${name}-err`);
  if (!err) return false;
  err.textContent = msg;
  err.hidden = !msg;
  const input = document.getElementById(`f-${name}`);
  if (input) {
    if (msg) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  return true;
}

function clearErrors() {
  state.error = null;
  document.querySelectorAll('#analyze-form .field-error').forEach((el) => {
    el.textContent = '';
    el.hidden = true;
  });
  document.querySelectorAll('#analyze-form [aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  const box = document.getElementById('form-error');
  if (box) box.replaceChildren();
}

function showError(err) {
  state.error = err;
  const box = document.getElementById('form-error');
  if (!box) return;
  let first = null;
  const unplaced = [];
  for (const fe of err.fields || []) {
    // "audio" and "file_url" are both the recording field of this form.
    const name = fe.field === 'file_url' ? 'audio' : fe.field;
    if (setFieldError(name, fe.message)) first = first || document.getElementById(`f-${name}`);
    else unplaced.push(fe);
  }
  // A 409 to a first attempt: the call_id is stored; the person may
  // replace that call (the server decides whether they may).
  fill(box, err.offerReplace ? errorBox(err, () => submitAnalysis(null, true), t('replaceCall')) : errorBox(err));
  if (unplaced.length) box.firstChild.append(h('ul', null, unplaced.map((fe) => h('li', null, `${fe.field}: ${fe.message}`))));
  if (first && typeof first.focus === 'function' && first.tagName !== 'FIELDSET') first.focus();
}

// submitAnalysis sends the form; replace asks the server to replace a
// stored call with the same call_id (offered after its 409).
async function submitAnalysis(ev, replace = false) {
  if (ev) ev.preventDefault();
  if (state.busy || audioBlocked()) return;
  clearErrors();
  const f = state.form;
  const audio = f.source === 'audio';
  if (audio) {
    if (!f.file) {
      setFieldError('audio', t('chooseFile'));
      document.getElementById('f-audio').focus();
      return;
    }
    const max = state.config && state.config.max_audio_bytes;
    if (max && f.file.size > max) {
      setFieldError('audio', t('fileTooBig', { size: fmtBytes(f.file.size), max: fmtBytes(max) }));
      return;
    }
  }
  state.busy = true;
  state.result = null;
  document.getElementById('result').replaceChildren();
  state.progress = { phase: 'processing', audio };
  renderProgress();
  try {
    let rep;
    if (audio) {
      const fd = new FormData();
      fd.append('content_mode', f.mode);
      if (f.call_id.trim()) fd.append('call_id', f.call_id.trim());
      if (f.manager_id.trim()) fd.append('manager_id', f.manager_id.trim());
      if (f.language) fd.append('language', f.language);
      if (replace) fd.append('replace', 'true');
      fd.append('audio', f.file, f.file.name);
      rep = await uploadAudio(fd, (phase, pct) => {
        state.progress = { phase, pct, audio: true };
        renderProgress();
      });
    } else {
      const body = { dialog_text: f.text, content_mode: f.mode };
      if (f.call_id.trim()) body.call_id = f.call_id.trim();
      if (f.manager_id.trim()) body.manager_id = f.manager_id.trim();
      if (f.language) body.language = f.language;
      if (replace) body.replace = true;
      rep = await api('/analyze_call', { method: 'POST', json: body });
    }
    state.result = rep;
  } catch (err) {
    state.busy = false;
    state.progress = null;
    renderProgress();
    const apiErr = err instanceof ApiError ? err : new ApiError(0);
    apiErr.offerReplace = !replace && apiErr.status === 409 && f.call_id.trim() !== '';
    showError(apiErr);
    return;
  }
  state.busy = false;
  state.progress = null;
  renderProgress();
  const result = document.getElementById('result');
  if (result) {
    fill(result, renderReport(state.result));
    const card = result.querySelector('.score-card') || result.querySelector('.energy-report');
    if (card) card.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }
}

// ---------------------------------------------------------------- history view

function filterForm(values, fields, onApply, onReset) {
  const input = (name, label, attrs) => field(`q-${name}`, label, h('input', { id: `q-${name}`, name, value: values[name] || '', ...attrs }));
  const select = (name, label, options) => field(
    `q-${name}`,
    label,
    h('select', { id: `q-${name}`, name }, h('option', { value: '' }, t('any')), options.map(([v, l]) => h('option', { value: v, selected: values[name] === v }, l))),
  );
  const all = {
    manager_id: () => input('manager_id', t('colManager'), { type: 'text', autocomplete: 'off' }),
    from: () => input('from', t('from'), { type: 'date' }),
    to: () => input('to', t('to'), { type: 'date' }),
    min_score: () => input('min_score', t('minScore'), { type: 'number', min: 0, max: 100, inputmode: 'numeric' }),
    max_score: () => input('max_score', t('maxScore'), { type: 'number', min: 0, max: 100, inputmode: 'numeric' }),
    mode: () => select('mode', t('mode'), MODES.map((m) => [m, modeName(m)])),
    status: () => select('status', t('status'), STATUSES.map((s) => [s, t(`status:${s}`)])),
    review: () => select('review', t('review'), REVIEW_STATES.map((s) => [s, t(`review:${s}`)])),
  };
  return h(
    'form',
    {
      class: 'card filters',
      'aria-label': t('filters'),
      onsubmit: (e) => {
        e.preventDefault();
        const out = {};
        for (const [k, v] of new FormData(e.target)) if (String(v).trim() !== '') out[k] = String(v).trim();
        onApply(out);
      },
    },
    h('div', { class: 'filter-grid' }, fields.map((k) => all[k]())),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t('apply')),
      h('button', { type: 'button', class: 'btn', onclick: onReset }, t('reset')),
    ),
  );
}

const HISTORY_FIELDS = ['manager_id', 'from', 'to', 'min_score', 'max_score', 'mode', 'status', 'review'];

// On a narrow screen a .stack table shows each row as a card, every cell
// under its column's name (data-label), so it never scrolls sideways.
function callsTable(calls, { showManager = true } = {}) {
  // The review column appears when the server keeps reviews.
  const reviewed = calls.some((c) => Array.isArray(c.review));
  const rows = calls.map((c) => h(
    'tr',
    null,
    h('td', { class: 'nowrap', 'data-label': t('colDate') }, fmtDate(c.created_at)),
    h('td', { 'data-label': t('colCall') }, h('a', { href: `#/calls/${encodeURIComponent(c.call_id)}`, class: 'mono' }, c.call_id)),
    showManager ? h('td', { 'data-label': t('colManager') }, c.manager_id ? h('a', { href: `#/managers/${encodeURIComponent(c.manager_id)}` }, c.manager_id) : '—') : null,
    h('td', { 'data-label': t('colMode') }, modeName(c.content_mode)),
    h('td', { 'data-label': t('colStatus') }, statusBadge(c.status)),
    h('td', { class: 'num', 'data-label': t('colScore') }, scoreChip(c.total_score)),
    reviewed ? h('td', { 'data-label': t('review'), class: 'review-states' }, (c.review || []).filter((s) => s !== 'unreviewed').map((s) => t(`review:${s}`)).join(', ')) : null,
  ));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table stack' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('colDate')),
          h('th', { scope: 'col' }, t('colCall')),
          showManager ? h('th', { scope: 'col' }, t('colManager')) : null,
          h('th', { scope: 'col' }, t('colMode')),
          h('th', { scope: 'col' }, t('colStatus')),
          h('th', { scope: 'col', class: 'num' }, t('colScore')),
          reviewed ? h('th', { scope: 'col' }, t('review')) : null,
        ),
      ),
      h('tbody', null, rows),
    ),
  );
}

async function renderHistory(route, signal) {
  const values = {};
  for (const k of HISTORY_FIELDS) if (route.query.get(k)) values[k] = route.query.get(k);
  const params = values;
  const csv = can('export') ? h('a', { class: 'btn', id: 'csv-link', href: `/calls${query({ ...params, format: 'csv' })}`, download: 'calls.csv' }, t('exportCsv')) : null;
  const results = h('div', { id: 'history-results', 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('loading')));
  setView(
    h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, t('historyTitle')), csv),
    filterForm(values, HISTORY_FIELDS, (v) => { location.hash = `#/history${query(v)}`; }, () => { location.hash = '#/history'; }),
    results,
  );

  const calls = [];
  const load = async (cursor) => {
    const page = await api(`/calls${query({ ...params, limit: PAGE_SIZE, cursor })}`, { signal });
    calls.push(...(page.calls || []));
    results.setAttribute('aria-busy', 'false');
    if (!calls.length) {
      fill(results, h('p', { class: 'empty' }, t('noCalls')));
      return;
    }
    const more = page.next_cursor
      ? h('button', {
        type: 'button',
        class: 'btn',
        id: 'load-more',
        onclick: async (e) => {
          e.target.disabled = true;
          e.target.textContent = t('loading');
          try {
            await load(page.next_cursor);
          } catch (err) {
            if (err.name !== 'AbortError') results.append(errorBox(err));
          }
        },
      }, t('loadMore'))
      : null;
    fill(results,
      callsTable(calls),
      h('div', { class: 'table-foot' }, h('span', { class: 'muted', id: 'shown-count' }, t('shown', { n: calls.length })), more),
    );
  };
  try {
    await load('');
  } catch (err) {
    if (err.name !== 'AbortError') fill(results, errorBox(err, () => render()));
  }
}

// ---------------------------------------------------------------- managers

async function renderManagers(route, signal) {
  const values = { from: route.query.get('from') || '', to: route.query.get('to') || '', mode: route.query.get('mode') || '' };
  const go = (v) => { location.hash = `#/managers${query(v)}`; };
  const results = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('loading')));
  setView(
    h('h1', { tabindex: -1 }, t('managersTitle')),
    h('p', { class: 'lead' }, t('managersLead')),
    modeSwitch(values.mode, (m) => go({ ...values, mode: m })),
    filterForm(values, ['from', 'to'], (v) => go({ ...v, mode: values.mode }), () => go({ mode: values.mode })),
    results,
  );
  try {
    const data = await api(`/managers${query(values)}`, { signal });
    const list = (data && data.managers) || [];
    // The answer states the mode it ranks; links carry it on.
    const mode = (data && data.mode) || values.mode;
    markMode(mode);
    results.setAttribute('aria-busy', 'false');
    if (!list.length) {
      fill(results, h('p', { class: 'empty' }, t('noManagers')));
      return;
    }
    const scope = query({ from: values.from, to: values.to, mode });
    const cols = [t('colRank'), t('colManager'), t('colCount'), t('colAverage'), t('colTrend'), t('colLast')];
    const cell = (i, attrs, ...children) => h('td', { ...attrs, 'data-label': cols[i] }, ...children);
    fill(results, h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table stack', id: 'leaderboard', 'data-mode': mode },
        h('thead', null, h('tr', null, cols.map((c, i) => h('th', { scope: 'col', class: i >= 2 && i <= 4 ? 'num' : null }, c)))),
        h('tbody', null, list.map((m, i) => h(
          'tr',
          null,
          cell(0, { class: 'muted' }, String(i + 1)),
          cell(1, null, h('a', { href: `#/managers/${encodeURIComponent(m.manager_id)}${scope}` }, m.manager_id)),
          cell(2, { class: 'num' }, fmtNum(m.count, 0)),
          cell(3, { class: 'num' }, h('span', { class: `chip band-${band(m.average)}` }, fmtNum(m.average))),
          cell(4, { class: 'num' }, trendText(m.trend)),
          cell(5, { class: 'nowrap' }, fmtDate(m.last_at)),
        ))),
      ),
    ));
  } catch (err) {
    if (err.name !== 'AbortError') fill(results, errorBox(err, () => render()));
  }
}

function trendText(v) {
  const n = Number(v) || 0;
  if (Math.abs(n) < 0.05) return h('span', { class: 'trend flat' }, '±0');
  return h('span', { class: `trend ${n > 0 ? 'up' : 'down'}` }, `${n > 0 ? '▲ +' : '▼ −'}${fmtNum(Math.abs(n))}`);
}

async function renderManager(route, id, signal) {
  const values = {
    from: route.query.get('from') || '',
    to: route.query.get('to') || '',
    mode: route.query.get('mode') || '',
    bucket: route.query.get('bucket') === 'week' ? 'week' : 'day',
  };
  const base = `#/managers/${encodeURIComponent(id)}`;
  const go = (v) => { location.hash = base + query(v); };
  // Statistics are per mode: the criteria of Manager+, Client+ and Диалог
  // differ, so the page shows one mode at a time.
  const mode = modeSwitch(values.mode, (m) => go({ ...values, mode: m }));
  const bucketSwitch = h(
    'fieldset',
    { class: 'segmented compact' },
    h('legend', null, t('bucket')),
    ['day', 'week'].map((b) => h(
      'label',
      { class: 'seg-opt' },
      h('input', { type: 'radio', name: 'bucket', value: b, checked: values.bucket === b, onchange: () => go({ ...values, bucket: b }) }),
      h('span', null, t(`bucket:${b}`)),
    )),
  );
  const body = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('loading')));
  setView(
    h('p', null, h('a', { href: '#/managers' }, `← ${t('managersTitle')}`)),
    h('h1', { tabindex: -1 }, t('managerTitle', { id })),
    mode,
    filterForm(values, ['from', 'to'], (v) => go({ ...v, mode: values.mode, bucket: values.bucket }), () => go({ mode: values.mode, bucket: values.bucket })),
    body,
  );
  // A date-only "to" is inclusive: the API reads it as the end of that day.
  const period = { from: values.from, to: values.to };
  try {
    const stats = await api(`/managers/${encodeURIComponent(id)}/stats${query({ ...period, mode: values.mode, bucket: values.bucket })}`, { signal });
    // The answer states its mode (Manager+ when the address has none):
    // the rubric and the recent calls are that mode's.
    const statsMode = stats.mode || values.mode || MODES[0];
    markMode(statsMode);
    const [rubric, recent] = await Promise.all([
      rubricFor(statsMode, signal),
      api(`/calls${query({ manager_id: id, ...period, mode: statsMode, limit: 10 })}`, { signal }).catch((err) => {
        if (err.name === 'AbortError') throw err;
        return null;
      }),
    ]);
    body.setAttribute('aria-busy', 'false');
    const crit = Object.entries(stats.criteria || {});
    const rank = (k) => {
      const i = rubric.order.indexOf(k);
      return i < 0 ? 1e9 : i;
    };
    crit.sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
    fill(body,
      h(
        'div',
        { class: 'stats' },
        [
          [t('statCount'), fmtNum(stats.count || 0, 0), ''],
          [t('statAverage'), stats.count ? fmtNum(stats.average) : '—', stats.count ? `band-text-${band(stats.average)}` : ''],
          [t('statMin'), stats.count ? fmtNum(stats.min, 0) : '—', ''],
          [t('statMax'), stats.count ? fmtNum(stats.max, 0) : '—', ''],
        ].map(([k, v, cls]) => h('div', { class: 'stat card' }, h('div', { class: 'stat-label' }, k), h('div', { class: `stat-value ${cls}` }, v))),
      ),
      h(
        'section',
        { class: 'card' },
        h('div', { class: 'section-head' }, h('h2', null, t('chartTitle')), bucketSwitch),
        renderChart(stats.trend || []),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', null, t('criteriaAvgMode', { mode: modeName(statsMode) })),
        crit.length
          ? h('ul', { class: 'criteria compact', id: 'criteria-avg', 'data-mode': statsMode }, crit.map(([k, v]) => {
            const title = rubric.titles[k] || k;
            return h(
              'li',
              { class: 'criterion', 'data-criterion': k },
              h('div', { class: 'crit-head' }, h('span', { class: 'crit-title' }, title), h('span', { class: `crit-score band-text-${band(v)}` }, fmtNum(v))),
              bar(v, title),
            );
          }))
          : h('p', { class: 'empty' }, t('chartEmpty')),
      ),
      recent && recent.calls && recent.calls.length
        ? h(
          'section',
          { class: 'card' },
          h('div', { class: 'section-head' }, h('h2', null, t('recentCalls')), h('a', { href: `#/history${query({ manager_id: id, from: values.from, to: values.to, mode: statsMode })}` }, t('allCalls'))),
          callsTable(recent.calls, { showManager: false }),
        )
        : null,
    );
  } catch (err) {
    if (err.name !== 'AbortError') fill(body, errorBox(err, () => render()));
  }
}

// renderChart draws the trend as an inline SVG line chart: x is time (so
// gaps between buckets show as gaps), y is the 0..100 score.
function renderChart(trend) {
  const pts = trend.filter((p) => p && p.start && Number.isFinite(Number(p.average)));
  if (!pts.length) return h('p', { class: 'empty' }, t('chartEmpty'));
  const W = 720;
  const H = 260;
  const pad = { l: 40, r: 16, t: 14, b: 34 };
  const times = pts.map((p) => new Date(p.start).getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const x = (ms) => (t1 === t0 ? (pad.l + W - pad.r) / 2 : pad.l + ((ms - t0) / (t1 - t0)) * (W - pad.l - pad.r));
  const y = (v) => pad.t + (1 - Math.max(0, Math.min(100, v)) / 100) * (H - pad.t - pad.b);
  // Buckets start at 00:00 UTC, so dates are shown in UTC too; a week is
  // labelled by its Monday.
  const label = (ms) => new Date(ms).toLocaleDateString(locale(), { day: 'numeric', month: 'short', timeZone: 'UTC' });

  const svg = h('svg:svg', {
    class: 'chart',
    id: 'trend-chart',
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': t('chartLabel', { n: pts.length, from: label(t0), to: label(t1) }),
    preserveAspectRatio: 'xMidYMid meet',
  });
  for (const g of [0, 25, 50, 75, 100]) {
    svg.append(
      h('svg:line', { class: `grid${g === 75 || g === 50 ? ' grid-band' : ''}`, x1: pad.l, x2: W - pad.r, y1: y(g), y2: y(g) }),
      h('svg:text', { class: 'axis', x: pad.l - 8, y: y(g) + 4, 'text-anchor': 'end' }, String(g)),
    );
  }
  // Date labels at least minGap apart so they never overlap; the last
  // point is always labelled and wins over a neighbour too close to it.
  const minGap = 76;
  const labelled = [];
  times.forEach((ms, i) => {
    const px = x(ms);
    const last = i === times.length - 1;
    while (last && labelled.length && px - x(times[labelled[labelled.length - 1]]) < minGap) labelled.pop();
    if (last || !labelled.length || px - x(times[labelled[labelled.length - 1]]) >= minGap) labelled.push(i);
  });
  for (const i of labelled) {
    const anchor = pts.length === 1 ? 'middle' : i === 0 ? 'start' : i === pts.length - 1 ? 'end' : 'middle';
    svg.append(h('svg:text', { class: 'axis', x: x(times[i]), y: H - 10, 'text-anchor': anchor }, label(times[i])));
  }
  const d = pts.map((p, i) => `${i ? 'L' : 'M'}${x(times[i]).toFixed(1)} ${y(p.average).toFixed(1)}`).join(' ');
  if (pts.length > 1) {
    const area = `${d} L${x(times[times.length - 1]).toFixed(1)} ${y(0)} L${x(times[0]).toFixed(1)} ${y(0)} Z`;
    svg.append(h('svg:path', { class: 'area', d: area }));
  }
  svg.append(h('svg:path', { class: 'line', d }));
  pts.forEach((p, i) => {
    svg.append(h(
      'svg:circle',
      { class: `pt band-fill-${band(p.average)}`, cx: x(times[i]).toFixed(1), cy: y(p.average).toFixed(1), r: 5 },
      h('svg:title', null, t('chartPoint', { date: label(times[i]), avg: fmtNum(p.average), count: `${p.count} ${plural('calls', p.count)}` })),
    ));
  });
  return h('div', { class: 'chart-wrap' }, svg);
}

// ---------------------------------------------------------------- call page

async function renderCall(id, signal, painted) {
  const body = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('loading')));
  setView(h('p', null, h('a', { href: '#/history' }, t('backToHistory'))), h('h1', { tabindex: -1, class: 'break' }, t('callTitle', { id })), body);
  for (;;) {
    let call;
    try {
      call = await api(`/calls/${encodeURIComponent(id)}`, { signal });
    } catch (err) {
      if (err.name !== 'AbortError') fill(body, errorBox(err, () => render()));
      return;
    }
    body.setAttribute('aria-busy', 'false');
    const rec = call.recording_url ? safeURL(call.recording_url) : null;
    const rows = [
      [t('colStatus'), statusBadge(call.status)],
      [t('colManager'), call.manager_id ? h('a', { href: `#/managers/${encodeURIComponent(call.manager_id)}` }, call.manager_id) : null],
      [t('colMode'), modeName(call.content_mode)],
      [t('callSource'), call.source ? t(`source:${call.source}`) : null],
      [t('recording'), call.recording_url ? (rec ? h('a', { href: rec, rel: 'noopener noreferrer', target: '_blank', class: 'break' }, call.recording_url) : call.recording_url) : null],
      [t('metaCreated'), fmtDate(call.created_at)],
      [t('updated'), fmtDate(call.updated_at)],
    ];
    const pending = call.status === 'queued' || call.status === 'processing';
    fill(body,
      metaList(rows, { class: 'card meta call-meta', id: 'call-meta' }),
      call.status === 'failed' && call.status_reason
        ? h('div', { class: 'alert', role: 'alert' }, h('strong', null, t('reason')), h('p', null, call.status_reason))
        : null,
      pending ? h('p', { class: 'notice', role: 'status' }, call.status_reason ? `${call.status_reason} · ` : '', t('waiting')) : null,
      call.report ? rolesCard(call) : null,
      call.report ? renderReport(call.report, { callLink: false }) : null,
      call.report && call.status === 'done' ? reviewPanel(call.call_id, signal) : null,
      call.report ? reportVersions(id, signal) : null,
    );
    painted();
    if (!pending) return;
    // Webhook calls finish in the background: poll until they do or the
    // person leaves the page (the signal aborts).
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, POLL_MS);
      signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
    });
    if (signal.aborted) return;
  }
}

// ---------------------------------------------------------------- roles

Object.assign(I18N.ru, {
  metaRoles: 'Роли',
  rolesLabelled: 'указаны в записи',
  rolesInferred: 'определены по тексту, уверенность {pct}',
  rolesUnknown: 'не определены',
  rolesLowTitle: 'Проверьте роли',
  rolesLow: 'Кто менеджер, а кто клиент, определено по тексту с уверенностью {pct}. Если роли перепутаны, оценка неверна: руководитель может поменять их местами на странице звонка.',
  rolesNone: 'Не удалось определить, кто в звонке менеджер, а кто клиент: метрики и критерии, зависящие от ролей, не посчитаны.',
  rolesTitle: 'Роли в звонке',
  rolesHelp: 'Если менеджер и клиент перепутаны, поменяйте их местами: звонок будет оценён заново, прежний отчёт останется в истории.',
  rolesSwap: 'Поменять роли местами',
  rolesSwapping: 'Оцениваем заново…',
  rolesSwapped: 'Роли поменяны, звонок оценён заново.',
});
Object.assign(I18N.en, {
  metaRoles: 'Roles',
  rolesLabelled: 'named in the record',
  rolesInferred: 'inferred from the text, confidence {pct}',
  rolesUnknown: 'not known',
  rolesLowTitle: 'Check the roles',
  rolesLow: 'Who is the manager and who the client was inferred from the text with {pct} confidence. If they are the wrong way round the score is wrong: a lead can swap them on the call\'s page.',
  rolesNone: 'It could not be told who is the manager and who the client: the metrics and criteria that depend on roles were not computed.',
  rolesTitle: 'Roles in the call',
  rolesHelp: 'If the manager and the client are the wrong way round, swap them: the call is scored again and the earlier report stays in the history.',
  rolesSwap: 'Swap roles',
  rolesSwapping: 'Scoring again…',
  rolesSwapped: 'Roles swapped; the call was scored again.',
});

// Roles inferred with less confidence than this are flagged for a lead.
const ROLES_LOW = 0.7;

function fmtPct(x) {
  return `${fmtNum(Math.round(x * 100), 0)} %`;
}

function hasRoles(tr) {
  return !!(tr && Array.isArray(tr.segments) && tr.segments.some((s) => s.speaker === 'manager' || s.speaker === 'client'));
}

// rolesText says how the roles of a transcript were decided.
function rolesText(tr) {
  if (!tr || !Array.isArray(tr.segments) || !tr.segments.length) return null;
  const conf = Number(tr.role_confidence) || 0;
  if (!hasRoles(tr)) return t('rolesUnknown');
  if (conf >= 1) return t('rolesLabelled');
  if (conf > 0) return t('rolesInferred', { pct: fmtPct(conf) });
  return null;
}

// rolesNotice warns when the roles are uncertain or unknown.
function rolesNotice(rep) {
  const tr = rep.transcript;
  if (!tr || !Array.isArray(tr.segments) || !tr.segments.length) return null;
  const conf = Number(tr.role_confidence) || 0;
  if (!hasRoles(tr)) {
    return h('div', { class: 'notice roles-notice', id: 'roles-notice', role: 'status', 'data-confidence': '0' }, h('strong', null, t('rolesLowTitle')), h('p', null, t('rolesNone')));
  }
  if (conf > 0 && conf < ROLES_LOW) {
    return h('div', { class: 'notice roles-notice', id: 'roles-notice', role: 'status', 'data-confidence': String(conf) },
      h('strong', null, t('rolesLowTitle')), h('p', null, t('rolesLow', { pct: fmtPct(conf) })));
  }
  return null;
}

// rolesCard offers a lead the role swap on a call's page
// (POST /calls/{id}/swap_roles); the page is drawn again with the new
// report.
function rolesCard(call) {
  const tr = call.report && call.report.transcript;
  if (!can('scorecards') || !hasRoles(tr)) return null;
  const status = h('p', { class: 'muted', id: 'roles-status', role: 'status' });
  const btn = h('button', { type: 'button', class: 'btn', id: 'swap-roles' }, t('rolesSwap'));
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    fill(status, t('rolesSwapping'));
    try {
      await api(`/calls/${encodeURIComponent(call.call_id)}/swap_roles`, { method: 'POST' });
      state.flash = t('rolesSwapped');
      render();
    } catch (err) {
      btn.disabled = false;
      fill(status, errorBox(err));
    }
  });
  return h('section', { class: 'card roles', id: 'roles-card' },
    h('h2', null, t('rolesTitle')),
    h('p', { class: 'muted' }, t('rolesHelp')),
    state.flash ? h('p', { class: 'notice', id: 'roles-swapped', role: 'status' }, takeFlash()) : null,
    h('div', { class: 'actions' }, btn),
    status);
}

function takeFlash() {
  const f = state.flash;
  state.flash = '';
  return f;
}

// ---------------------------------------------------------------- report versions

Object.assign(I18N.ru, {
  versionsTitle: 'Предыдущие отчёты',
  versionsLead: 'Звонок оценивали заново; прежние отчёты сохранены без изменений.',
  colVersion: 'Версия',
  colScorecard: 'Карта оценки',
  colReason: 'Причина',
  'reason:': 'первая оценка',
  'reason:rescore': 'переоценка',
  'reason:roles': 'смена ролей',
  currentVersion: 'текущая',
  replacedAt: 'заменён {when}',
});
Object.assign(I18N.en, {
  versionsTitle: 'Earlier reports',
  versionsLead: 'The call was scored again; the earlier reports are kept as they were.',
  colVersion: 'Version',
  colScorecard: 'Scorecard',
  colReason: 'Reason',
  'reason:': 'first scoring',
  'reason:rescore': 'rescore',
  'reason:roles': 'roles swapped',
  currentVersion: 'current',
  replacedAt: 'replaced {when}',
});

function reasonText(v) {
  const key = `reason:${v.reason || ''}`;
  const text = I18N[state.lang] && I18N[state.lang][key] ? t(key) : v.reason;
  return v.by ? `${text} (${v.by})` : text;
}

function scorecardText(v) {
  if (!v.scorecard) return '—';
  return v.scorecard_version ? `${v.scorecard} v${v.scorecard_version}` : v.scorecard;
}

// reportVersions is the call page's list of the reports the call had
// before it was scored again (GET /calls/{id}/reports); empty when it
// has only one.
function reportVersions(id, signal) {
  const box = h('section', { class: 'card versions', id: 'report-versions', hidden: true });
  api(`/calls/${encodeURIComponent(id)}/reports`, { signal }).then((list) => {
    const vs = (list && list.reports) || [];
    if (vs.length < 2) return;
    const earlier = vs.filter((v) => !v.current).reverse();
    box.hidden = false;
    fill(box,
      h('h2', null, t('versionsTitle')),
      h('p', { class: 'muted' }, t('versionsLead')),
      table('versions-table', [t('colVersion'), t('metaCreated'), t('colScorecard'), t('colReason'), t('score')],
        vs.slice().reverse().map((v) => [
          v.current ? `v${v.version} · ${t('currentVersion')}` : `v${v.version}`,
          fmtDate(v.at),
          scorecardText(v),
          reasonText(v),
          scoreChip(v.total_score),
        ])),
      earlier.map((v) => h('details', { class: 'version', 'data-version': v.version },
        h('summary', null, `v${v.version} · ${scorecardText(v)} · ${v.total_score} · `, v.replaced_at ? t('replacedAt', { when: fmtDate(v.replaced_at) }) : ''),
        h('p', { class: 'prose' }, (v.report && v.report.summary) || '—'),
        h('ul', { class: 'criteria-brief' }, ((v.report && v.report.details) || []).map((d) => h('li', null,
          h('span', null, d.title || d.id), ' ', scoreChip(d.score)))),
      )),
    );
  }).catch(() => {});
  return box;
}

// ---------------------------------------------------------------- scorecard editor

Object.assign(I18N.ru, {
  scorecardsTitle: 'Карты оценки',
  scorecardDefault: 'по умолчанию',
  scorecardEdit: 'Изменить',
  scorecardFile: 'Файл карты оценки (YAML)',
  scorecardTeam: 'Команда',
  scorecardDialog: 'Диалог для проверки',
  scorecardPreview: 'Проверить на диалоге',
  scorecardSave: 'Сохранить новую версию',
  scorecardSaved: 'Сохранена версия {version}.',
  scorecardVersions: 'Версии',
  scorecardPreviewScore: 'Оценка с черновиком: {score}',
  scorecardLine: 'строка {line}',
});
Object.assign(I18N.en, {
  scorecardsTitle: 'Scorecards',
  scorecardDefault: 'default',
  scorecardEdit: 'Edit',
  scorecardFile: 'Scorecard file (YAML)',
  scorecardTeam: 'Team',
  scorecardDialog: 'Dialog to try it on',
  scorecardPreview: 'Preview on the dialog',
  scorecardSave: 'Save a new version',
  scorecardSaved: 'Version {version} saved.',
  scorecardVersions: 'Versions',
  scorecardPreviewScore: 'Score with the draft: {score}',
  scorecardLine: 'line {line}',
});

// scorecardErrors lists an API error's field errors with their lines.
function scorecardErrors(box, err) {
  const fields = err.fields || [];
  fill(box, h('div', { class: 'alert', role: 'alert', id: 'scorecard-errors' },
    h('p', null, err.message),
    fields.length ? h('ul', null, fields.map((f) => h('li', { 'data-field': f.field, 'data-line': f.line || '' },
      f.line ? `${t('scorecardLine', { line: f.line })}: ` : '', `${f.field}: ${f.message}`))) : null));
}

async function renderScorecards(id, signal) {
  const list = await api('/scorecards', { signal });
  if (!id) {
    setView(h('h1', { tabindex: -1 }, t('scorecardsTitle')),
      table('scorecards-table', [t('colName'), t('colVersion'), t('scorecardTeam'), ''],
        list.scorecards.map((c) => [
          h('a', { href: `#/scorecards/${encodeURIComponent(c.id)}` }, `${(c.title && (c.title[state.lang] || c.title.en)) || c.id} (${c.id})`),
          `v${c.version}${c.default ? ` · ${t('scorecardDefault')}` : ''}`,
          c.team || '—',
          c.editable ? h('a', { href: `#/scorecards/${encodeURIComponent(c.id)}`, class: 'btn small' }, t('scorecardEdit')) : '',
        ])));
    return;
  }
  const card = await api(`/scorecards/${encodeURIComponent(id)}`, { signal });
  const body = h('textarea', { id: 'scorecard-body', rows: 24, class: 'mono', spellcheck: 'false' });
  body.value = card.body;
  const team = h('select', { id: 'scorecard-team' }, (list.teams.length ? list.teams : ['']).map((n) => h('option', { value: n, selected: n === card.team }, n || '—')));
  const dialog = h('textarea', { id: 'scorecard-dialog', rows: 8 });
  const out = h('div', { id: 'scorecard-out', 'aria-live': 'polite' });
  const versions = h('ol', { id: 'scorecard-versions' });
  let base = card.version;
  const showVersions = (vs) => fill(versions, vs.map((v) => h('li', { 'data-version': v.version }, `v${v.version}`, v.team ? ` · ${v.team}` : '', v.saved_at ? ` · ${fmtDate(v.saved_at)}` : '')));
  showVersions(card.versions || []);
  const preview = async () => {
    try {
      const res = await api('/scorecards/preview', { method: 'POST', json: { body: body.value, dialog_text: dialog.value } });
      fill(out, h('p', { id: 'preview-score' }, t('scorecardPreviewScore', { score: res.report.total_score })), renderReport(res.report, { callLink: false }));
    } catch (err) {
      scorecardErrors(out, err);
    }
  };
  const save = async () => {
    try {
      const res = await api(`/scorecards/${encodeURIComponent(id)}`, { method: 'PUT', json: { body: body.value, team: team.value, base_version: base } });
      base = res.version;
      body.value = res.body;
      showVersions(res.versions || []);
      fill(out, h('p', { class: 'notice', role: 'status', id: 'scorecard-saved' }, t('scorecardSaved', { version: res.version })));
    } catch (err) {
      scorecardErrors(out, err);
    }
  };
  setView(
    h('p', null, h('a', { href: '#/scorecards' }, `← ${t('scorecardsTitle')}`)),
    h('h1', { tabindex: -1 }, `${(card.title && (card.title[state.lang] || card.title.en)) || id} · v${card.version}`),
    field('scorecard-body', t('scorecardFile'), body),
    card.editable ? field('scorecard-team', t('scorecardTeam'), team) : null,
    field('scorecard-dialog', t('scorecardDialog'), dialog),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn', id: 'scorecard-preview', onclick: preview }, t('scorecardPreview')),
      card.editable ? h('button', { type: 'button', class: 'btn primary', id: 'scorecard-save', onclick: save }, t('scorecardSave')) : null),
    out,
    h('section', { class: 'card' }, h('h2', null, t('scorecardVersions')), versions),
  );
}

// ---------------------------------------------------------------- accounts

// Texts of the sign-in, header and admin parts, kept beside their code.
Object.assign(I18N.ru, {
  navAdmin: 'Администрирование',
  loginTitle: 'Вход',
  loginLead: 'Войдите, чтобы открыть звонки и статистику.',
  login: 'Логин',
  password: 'Пароль',
  signIn: 'Войти',
  signOut: 'Выйти',
  'userRole:admin': 'администратор',
  'userRole:lead': 'руководитель',
  'userRole:manager': 'менеджер',
  'kind:token': 'токен',
  localBanner: 'Локальный режим: учётных записей ещё нет, поэтому сервер открыт только на этом компьютере и всем можно всё. Создайте администратора на странице «Администрирование» (или командой callaudit user add --admin ИМЯ), прежде чем открывать сервер в сети.',
  notAllowed: 'Эта страница недоступна вашей роли.',
  usersTitle: 'Пользователи',
  teamsTitle: 'Команды',
  tokensTitle: 'API-токены',
  accessLogTitle: 'Журнал доступа',
  colLogin: 'Логин',
  colName: 'Имя',
  colRole: 'Роль',
  colTeams: 'Команды',
  colState: 'Состояние',
  colManagers: 'Менеджеры (manager_id)',
  colScopes: 'Права',
  colCreated: 'Создан',
  colUsed: 'Использован',
  colWhen: 'Когда',
  colWho: 'Кто',
  colAction: 'Действие',
  colFrom: 'Откуда',
  active: 'активен',
  disabled: 'отключён',
  revoked: 'отозван',
  disable: 'Отключить',
  enable: 'Включить',
  resetPassword: 'Сменить пароль',
  newPasswordFor: 'Новый пароль для {login} (не короче 8 символов):',
  revoke: 'Отозвать',
  remove: 'Удалить',
  addUser: 'Добавить пользователя',
  saveTeam: 'Сохранить команду',
  teamName: 'Название команды',
  teamsHint: 'через запятую',
  createToken: 'Создать токен',
  tokenName: 'Название',
  tokenNameHint: 'например, amoCRM',
  tokenOnce: 'Скопируйте токен сейчас: он показывается один раз, сервер хранит только его хэш.',
  'action:view': 'просмотр',
  'action:export': 'выгрузка',
  'action:delete': 'удаление',
  never: 'никогда',
});
Object.assign(I18N.en, {
  navAdmin: 'Admin',
  loginTitle: 'Sign in',
  loginLead: 'Sign in to open calls and statistics.',
  login: 'Login',
  password: 'Password',
  signIn: 'Sign in',
  signOut: 'Sign out',
  'userRole:admin': 'admin',
  'userRole:lead': 'lead',
  'userRole:manager': 'manager',
  'kind:token': 'token',
  localBanner: 'Local mode: there are no accounts yet, so the server is open on this computer only and anyone may do anything. Create an admin on the Admin page (or with callaudit user add --admin NAME) before opening the server to the network.',
  notAllowed: 'Your role may not use this page.',
  usersTitle: 'Users',
  teamsTitle: 'Teams',
  tokensTitle: 'API tokens',
  accessLogTitle: 'Access log',
  colLogin: 'Login',
  colName: 'Name',
  colRole: 'Role',
  colTeams: 'Teams',
  colState: 'State',
  colManagers: 'Managers (manager_id)',
  colScopes: 'Scopes',
  colCreated: 'Created',
  colUsed: 'Last used',
  colWhen: 'When',
  colWho: 'Who',
  colAction: 'Action',
  colFrom: 'From',
  active: 'active',
  disabled: 'disabled',
  revoked: 'revoked',
  disable: 'Disable',
  enable: 'Enable',
  resetPassword: 'Reset password',
  newPasswordFor: 'New password for {login} (at least 8 characters):',
  revoke: 'Revoke',
  remove: 'Delete',
  addUser: 'Add user',
  saveTeam: 'Save team',
  teamName: 'Team name',
  teamsHint: 'comma-separated',
  createToken: 'Create token',
  tokenName: 'Name',
  tokenNameHint: 'e.g. amoCRM',
  tokenOnce: 'Copy the token now: it is shown this once, the server keeps only its hash.',
  'action:view': 'view',
  'action:export': 'export',
  'action:delete': 'delete',
  never: 'never',
});

const ROLES = ['admin', 'lead', 'manager'];
const SCOPES = ['analyze', 'webhook', 'read', 'admin'];

// can reports whether the signed-in principal has a permission (the
// server's table, sent by GET /me); the server checks again every request.
function can(perm) {
  return !!(state.me && (state.me.permissions || []).includes(perm));
}

// loadMe asks who this browser is; null is "sign in first".
async function loadMe() {
  try {
    state.me = await api('/me');
  } catch (err) {
    state.me = null;
  }
}

function splitList(s) {
  return String(s || '').split(',').map((x) => x.trim()).filter(Boolean);
}

// updateHeader shows who is signed in with a sign-out button, and only the
// sections the role may use.
function updateHeader() {
  const show = { analyze: can('analyze'), history: can('read'), managers: can('read'), agreement: can('read'), admin: can('admin') && state.me.accounts };
  // Linked for signed-in editors; a server without accounts still serves
  // the page at #/scorecards.
  let cards = document.getElementById('nav-scorecards');
  if (!can('scorecards') || state.me.kind === 'local') {
    if (cards) cards.remove();
  } else {
    if (!cards) {
      cards = h('a', { href: '#/scorecards', 'data-route': 'scorecards', id: 'nav-scorecards' });
      document.getElementById('nav').insertBefore(cards, document.querySelector('#nav a[href="/docs"]'));
    }
    cards.textContent = t('scorecardsTitle');
  }
  for (const link of document.querySelectorAll('#nav a[data-route]')) link.hidden = show[link.dataset.route] === false;
  const nav = document.getElementById('nav');
  let admin = document.getElementById('nav-admin');
  if (!show.admin) {
    if (admin) admin.remove();
  } else {
    if (!admin) {
      admin = h('a', { href: '#/admin', 'data-route': 'admin', id: 'nav-admin' });
      nav.insertBefore(admin, nav.querySelector('a[href="/docs"]'));
    }
    admin.textContent = t('navAdmin');
  }
  let who = document.getElementById('who');
  if (!who) {
    who = h('div', { id: 'who', class: 'who' });
    document.getElementById('lang-switch').before(who);
  }
  const me = state.me;
  if (!me || me.kind === 'local') {
    who.replaceChildren();
    return;
  }
  const role = me.kind === 'token' ? t('kind:token') : t(`userRole:${me.role}`);
  fill(who,
    h('span', { id: 'who-name' }, me.name || me.login || ''),
    ' ',
    h('span', { class: 'muted', id: 'who-role' }, role),
    me.kind === 'user' ? h('button', { type: 'button', class: 'btn small', id: 'logout', onclick: logout }, t('signOut')) : null);
}

async function logout() {
  try {
    await api('/logout', { method: 'POST' });
  } catch (_) {
    // Signed out here whatever the server said.
  }
  state.me = null;
  updateHeader();
  location.hash = '#/login';
  render(true);
}

function localBanner() {
  return state.me && state.me.local_mode ? h('p', { class: 'notice', id: 'local-banner', role: 'status' }, t('localBanner')) : null;
}

function renderLogin() {
  const err = h('div', { id: 'login-error' });
  setView(
    h('h1', { tabindex: -1 }, t('loginTitle')),
    h('p', { class: 'lead' }, t('loginLead')),
    h(
      'form',
      {
        class: 'card form login',
        id: 'login-form',
        onsubmit: async (e) => {
          e.preventDefault();
          const fd = new FormData(e.target);
          err.replaceChildren();
          try {
            state.me = await api('/login', { method: 'POST', json: { login: fd.get('login'), password: fd.get('password') } });
          } catch (ex) {
            fill(err, errorBox(ex));
            return;
          }
          updateHeader();
          await loadConfig();
          location.hash = can('analyze') ? '#/' : '#/history';
          render(true);
        },
      },
      field('login-name', t('login'), h('input', { type: 'text', id: 'login-name', name: 'login', autocomplete: 'username', required: true })),
      field('login-password', t('password'), h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
      err,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary', id: 'login-submit' }, t('signIn'))),
    ),
  );
}

function table(id, heads, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table stack', id },
    h('thead', null, h('tr', null, heads.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows.map((cells) => h('tr', null, cells.map((c, i) => h('td', { 'data-label': heads[i] }, c)))))));
}

// act runs an admin action and repaints the page, or shows its error.
async function act(box, fn) {
  try {
    await fn();
    render();
  } catch (err) {
    if (err.name !== 'AbortError') fill(box, errorBox(err));
  }
}

async function renderAdmin(signal) {
  const status = h('div', { id: 'admin-error' });
  const [users, teams, tokens, log] = await Promise.all([
    api('/admin/users', { signal }), api('/admin/teams', { signal }), api('/admin/tokens', { signal }), api('/admin/access-log?limit=100', { signal }),
  ]);
  const userForm = h('form', {
    class: 'card form',
    id: 'user-form',
    onsubmit: (e) => {
      e.preventDefault();
      const fd = new FormData(e.target);
      act(status, () => api('/admin/users', { method: 'POST', json: {
        login: fd.get('login'), name: fd.get('name'), role: fd.get('role'), manager_id: fd.get('manager_id'),
        teams: splitList(fd.get('teams')), password: fd.get('password'),
      } }));
    },
  },
  h('h3', null, t('addUser')),
  h('div', { class: 'filter-grid' },
    field('u-login', t('colLogin'), h('input', { type: 'text', id: 'u-login', name: 'login', required: true, autocomplete: 'off' })),
    field('u-name', t('colName'), h('input', { type: 'text', id: 'u-name', name: 'name', autocomplete: 'off' })),
    field('u-role', t('colRole'), h('select', { id: 'u-role', name: 'role' }, ROLES.map((r) => h('option', { value: r, selected: r === 'manager' }, t(`userRole:${r}`))))),
    field('u-manager', 'manager_id', h('input', { type: 'text', id: 'u-manager', name: 'manager_id', autocomplete: 'off' })),
    field('u-teams', t('colTeams'), h('input', { type: 'text', id: 'u-teams', name: 'teams', autocomplete: 'off' }), t('teamsHint')),
    field('u-password', t('password'), h('input', { id: 'u-password', name: 'password', type: 'password', minlength: 8, required: true, autocomplete: 'new-password' }))),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary', id: 'user-add' }, t('addUser'))));
  const userRows = users.users.map((u) => [
    h('span', { class: 'mono' }, u.login), u.name || '—', t(`userRole:${u.role}`), u.manager_id || '—', (u.teams || []).join(', ') || '—',
    u.disabled ? t('disabled') : t('active'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn small', onclick: () => act(status, () => api(`/admin/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', json: { disabled: !u.disabled } })) }, u.disabled ? t('enable') : t('disable')),
      h('button', { type: 'button', class: 'btn small', onclick: () => {
        const pw = window.prompt(t('newPasswordFor', { login: u.login }));
        if (pw) act(status, () => api(`/admin/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', json: { password: pw } }));
      } }, t('resetPassword'))),
  ]);
  const teamForm = h('form', {
    class: 'card form',
    id: 'team-form',
    onsubmit: (e) => {
      e.preventDefault();
      const fd = new FormData(e.target);
      act(status, () => api(`/admin/teams/${encodeURIComponent(fd.get('name'))}`, { method: 'PUT', json: { manager_ids: splitList(fd.get('managers')) } }));
    },
  },
  h('div', { class: 'filter-grid' },
    field('t-name', t('teamName'), h('input', { type: 'text', id: 't-name', name: 'name', required: true, autocomplete: 'off' })),
    field('t-managers', t('colManagers'), h('input', { type: 'text', id: 't-managers', name: 'managers', autocomplete: 'off' }), t('teamsHint'))),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary', id: 'team-save' }, t('saveTeam'))));
  const teamRows = teams.teams.map((tm) => [tm.name, tm.manager_ids.join(', ') || '—',
    h('button', { type: 'button', class: 'btn small', onclick: () => act(status, () => api(`/admin/teams/${encodeURIComponent(tm.name)}`, { method: 'DELETE' })) }, t('remove'))]);
  const shown = h('div', { id: 'token-shown' });
  const tokenForm = h('form', {
    class: 'card form',
    id: 'token-form',
    onsubmit: async (e) => {
      e.preventDefault();
      const fd = new FormData(e.target);
      try {
        const tok = await api('/admin/tokens', { method: 'POST', json: { name: fd.get('name'), scopes: fd.getAll('scope') } });
        // Shown once, and never put back into the page after a repaint.
        fill(shown, h('div', { class: 'notice' }, h('p', null, t('tokenOnce')), h('code', { class: 'mono break', id: 'token-secret' }, tok.token)));
      } catch (err) {
        fill(status, errorBox(err));
      }
    },
  },
  h('div', { class: 'filter-grid' },
    field('k-name', t('tokenName'), h('input', { type: 'text', id: 'k-name', name: 'name', required: true, autocomplete: 'off' }), t('tokenNameHint')),
    h('fieldset', { class: 'field' }, h('legend', null, t('colScopes')),
      SCOPES.map((s) => h('label', { class: 'opt' }, h('input', { type: 'checkbox', name: 'scope', value: s }), ` ${s}`)))),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary', id: 'token-create' }, t('createToken'))));
  const tokenRows = tokens.tokens.map((k) => [k.name, k.scopes.join(', '), fmtDate(k.created_at), k.last_used_at ? fmtDate(k.last_used_at) : t('never'),
    k.revoked_at ? t('revoked') : h('button', { type: 'button', class: 'btn small', onclick: () => act(status, () => api(`/admin/tokens/${encodeURIComponent(k.id)}`, { method: 'DELETE' })) }, t('revoke'))]);
  const logRows = log.entries.map((e) => [fmtDate(e.at), e.actor, t(`action:${e.action}`),
    h('a', { href: `#/calls/${encodeURIComponent(e.call_id)}`, class: 'mono' }, e.call_id), e.client_addr || '—']);
  setView(
    h('h1', { tabindex: -1 }, t('navAdmin')),
    localBanner(),
    status,
    h('section', { 'aria-labelledby': 'h-users' }, h('h2', { id: 'h-users' }, t('usersTitle')),
      table('users-table', [t('colLogin'), t('colName'), t('colRole'), 'manager_id', t('colTeams'), t('colState'), ''], userRows), userForm),
    h('section', { 'aria-labelledby': 'h-teams' }, h('h2', { id: 'h-teams' }, t('teamsTitle')),
      table('teams-table', [t('teamName'), t('colManagers'), ''], teamRows), teamForm),
    h('section', { 'aria-labelledby': 'h-tokens' }, h('h2', { id: 'h-tokens' }, t('tokensTitle')),
      table('tokens-table', [t('colName'), t('colScopes'), t('colCreated'), t('colUsed'), ''], tokenRows), shown, tokenForm),
    h('section', { 'aria-labelledby': 'h-log' }, h('h2', { id: 'h-log' }, t('accessLogTitle')),
      logRows.length ? table('access-table', [t('colWhen'), t('colWho'), t('colAction'), t('colCall'), t('colFrom')], logRows) : h('p', { class: 'empty' }, '—')),
  );
}

// ---------------------------------------------------------------- review

// Human review of a call (the lead's scores beside the model's, managers'
// disputes and their resolution) and the agreement page.
Object.assign(I18N.ru, {
  navAgreement: 'Согласие',
  reviewTitle: 'Проверка человеком',
  reviewLead: 'Оценка модели и оценка руководителя рядом; модельная оценка не перезаписывается.',
  colCriterion: 'Критерий',
  colModel: 'Модель',
  colHuman: 'Человек',
  colComment: 'Комментарий',
  colDispute: 'Спор',
  humanTotal: 'Итог руководителя',
  modelTotal: 'Итог модели',
  totalComment: 'Комментарий к итогу',
  saveReview: 'Сохранить проверку',
  reviewedBy: 'Проверил {who}, {when}',
  notReviewed: 'Звонок ещё не проверен руководителем.',
  dispute: 'Оспорить',
  disputeComment: 'Почему оценка неверна',
  sendDispute: 'Отправить спор',
  disputesTitle: 'Споры',
  'disputeStatus:open': 'открыт',
  'disputeStatus:accepted': 'принят',
  'disputeStatus:rejected': 'отклонён',
  disputeBy: '{who}, {when}: «{comment}»',
  resolvedBy: '{status}: {who}, {when}',
  newScore: 'Новая оценка',
  rejectReason: 'Причина',
  accept: 'Принять',
  reject: 'Отклонить',
  saved: 'Сохранено.',
  review: 'Проверка',
  'review:unreviewed': 'не проверен',
  'review:reviewed': 'проверен',
  'review:disputed': 'оспорен',
  'review:resolved': 'спор решён',
  agreementTitle: 'Согласие модели с проверяющими',
  agreementLead: 'По проверенным звонкам: насколько оценки модели совпадают с оценками руководителей. Шкала 0–5: категория = round(оценка / 20), то есть 0–9 → 0, 10–29 → 1, 30–49 → 2, 50–69 → 3, 70–89 → 4, 90–100 → 5.',
  agreementEmpty: 'Проверенных звонков пока нет: откройте звонок и оцените критерии.',
  agreementGroup: '{card}, версия {version} · {mode} · {n}',
  agreementGroupDefault: '{card} · {mode} · {n}',
  noScorecard: 'Встроенный чек-лист',
  exactAgreement: 'Точное совпадение (0–5)',
  kappa: 'κ Коэна (квадратичные веса)',
  mad: 'Средняя разница, баллы',
  bias: 'Сдвиг модели, баллы',
  pairs: 'Пар',
  overall: 'Все критерии',
  totalRow: 'Итоговая оценка',
  worst: 'Где модель ошибается сильнее всего',
  chartAgreement: 'Точное совпадение по критериям, %',
  undefinedKappa: 'не определена',
  published: 'Ориентиры из открытых источников: 74,65 % точного совпадения по шкале 0–5 (поставщик авто-QA) и κ ≈ 0,52 между тремя передовыми LLM (0,38 по эмпатии).',
  scorecard: 'Скоркарта',
  version: 'Версия',
});
Object.assign(I18N.en, {
  navAgreement: 'Agreement',
  reviewTitle: 'Human review',
  reviewLead: 'The model\'s score and the lead\'s side by side; the model\'s is never overwritten.',
  colCriterion: 'Criterion',
  colModel: 'Model',
  colHuman: 'Human',
  colComment: 'Comment',
  colDispute: 'Dispute',
  humanTotal: 'Lead\'s total',
  modelTotal: 'Model\'s total',
  totalComment: 'Comment on the total',
  saveReview: 'Save review',
  reviewedBy: 'Reviewed by {who}, {when}',
  notReviewed: 'No lead has reviewed this call yet.',
  dispute: 'Dispute',
  disputeComment: 'Why the score is wrong',
  sendDispute: 'Send dispute',
  disputesTitle: 'Disputes',
  'disputeStatus:open': 'open',
  'disputeStatus:accepted': 'accepted',
  'disputeStatus:rejected': 'rejected',
  disputeBy: '{who}, {when}: “{comment}”',
  resolvedBy: '{status}: {who}, {when}',
  newScore: 'New score',
  rejectReason: 'Reason',
  accept: 'Accept',
  reject: 'Reject',
  saved: 'Saved.',
  review: 'Review',
  'review:unreviewed': 'unreviewed',
  'review:reviewed': 'reviewed',
  'review:disputed': 'disputed',
  'review:resolved': 'resolved',
  agreementTitle: 'How the model agrees with reviewers',
  agreementLead: 'Over reviewed calls: how often the model\'s scores match the leads\'. The 0–5 scale: category = round(score / 20), so 0–9 → 0, 10–29 → 1, 30–49 → 2, 50–69 → 3, 70–89 → 4, 90–100 → 5.',
  agreementEmpty: 'No reviewed calls yet: open a call and score its criteria.',
  agreementGroup: '{card}, version {version} · {mode} · {n}',
  agreementGroupDefault: '{card} · {mode} · {n}',
  noScorecard: 'Built-in checklist',
  exactAgreement: 'Exact agreement (0–5)',
  kappa: 'Cohen\'s κ (quadratic weights)',
  mad: 'Mean difference, points',
  bias: 'Model\'s bias, points',
  pairs: 'Pairs',
  overall: 'All criteria',
  totalRow: 'Total score',
  worst: 'Where the model errs most',
  chartAgreement: 'Exact agreement per criterion, %',
  undefinedKappa: 'undefined',
  published: 'Published figures to compare with: 74.65 % exact agreement on a 0–5 scale (an auto-QA vendor) and κ ≈ 0.52 between three frontier LLMs (0.38 on empathy).',
  scorecard: 'Scorecard',
  version: 'Version',
});
I18N.ru.reviewedCalls = ['проверенный звонок', 'проверенных звонка', 'проверенных звонков'];
I18N.en.reviewedCalls = ['reviewed call', 'reviewed calls'];

const REVIEW_STATES = ['unreviewed', 'reviewed', 'disputed', 'resolved'];

const who = (a) => (a && (a.name || a.id)) || '—';
const pct = (v) => (v == null ? '—' : `${fmtNum(v * 100, 1)} %`);
const num = (v, digits = 2) => (v == null ? '—' : fmtNum(v, digits));

// reviewPanel is the review part of a call's page; it loads the review
// state and redraws itself after every write with the server's answer.
function reviewPanel(id, signal) {
  const box = h('section', { class: 'card review', id: 'review-panel', 'aria-busy': 'true' }, h('h2', null, t('reviewTitle')), h('p', { class: 'muted' }, t('loading')));
  const path = `/calls/${encodeURIComponent(id)}`;
  const draw = (rv, note) => {
    box.dataset.revision = String(rv.revision);
    box.setAttribute('aria-busy', 'false');
    fill(box, h('h2', null, t('reviewTitle')), h('p', { class: 'hint' }, t('reviewLead')), reviewBody(rv, path, draw, note));
  };
  api(`${path}/review`, { signal }).then((rv) => draw(rv)).catch((err) => {
    if (err.name === 'AbortError') return;
    box.setAttribute('aria-busy', 'false');
    fill(box, h('h2', null, t('reviewTitle')), errorBox(err));
  });
  return box;
}

function reviewBody(rv, path, draw, note) {
  const lead = can('review');
  const manager = can('dispute');
  const errs = h('div', { id: 'review-error', role: 'alert' });
  const send = async (btn, method, url, json) => {
    btn.disabled = true;
    fill(errs);
    try {
      draw(await api(url, { method, json }), t('saved'));
    } catch (err) {
      btn.disabled = false;
      if (err.name === 'AbortError') return;
      fill(errs, errorBox(err));
      for (const f of err.fields || []) {
        const el = document.querySelector(`[data-field="${CSS.escape(f.field)}"]`);
        if (el) el.setAttribute('aria-invalid', 'true');
      }
    }
  };
  const rows = rv.criteria.map((c, i) => {
    const disputeForm = manager && c.open_dispute == null
      ? h(
        'details',
        { class: 'dispute-form', id: `dispute-${c.id}` },
        h('summary', { class: 'btn small', id: `dispute-btn-${c.id}` }, t('dispute')),
        h('label', { for: `dispute-comment-${c.id}`, class: 'visually-hidden' }, t('disputeComment')),
        h('textarea', { id: `dispute-comment-${c.id}`, rows: 2, maxlength: 2000, placeholder: t('disputeComment'), 'data-field': 'comment' }),
        h('button', {
          type: 'button',
          class: 'btn small primary',
          id: `dispute-send-${c.id}`,
          onclick: (e) => send(e.target, 'POST', `${path}/disputes`, { criterion: c.id, comment: document.getElementById(`dispute-comment-${c.id}`).value, revision: rv.revision }),
        }, t('sendDispute')),
      )
      : null;
    return h(
      'tr',
      { 'data-criterion': c.id },
      h('th', { scope: 'row', 'data-label': t('colCriterion') }, c.title || c.id),
      h('td', { class: 'num', 'data-label': t('colModel') }, scoreChip(c.model_score)),
      h('td', { class: 'num', 'data-label': t('colHuman') }, lead
        ? h('input', {
          type: 'number', min: 0, max: 100, inputmode: 'numeric', class: 'score-input', id: `rv-score-${c.id}`,
          value: c.human_score == null ? '' : String(c.human_score), 'aria-label': `${t('colHuman')}: ${c.title || c.id}`, 'data-field': `criteria[${i}].score`,
        })
        : h('span', { class: 'human-score' }, scoreChip(c.human_score))),
      h('td', { 'data-label': t('colComment') }, lead
        ? h('input', { type: 'text', maxlength: 2000, id: `rv-comment-${c.id}`, value: c.comment || '', 'aria-label': `${t('colComment')}: ${c.title || c.id}` })
        : c.comment || ''),
      h('td', { 'data-label': t('colDispute') }, c.open_dispute != null ? h('span', { class: 'status status-queued' }, `#${c.open_dispute} ${t('disputeStatus:open')}`) : null, disputeForm),
    );
  });
  const save = lead
    ? h('button', {
      type: 'button',
      class: 'btn primary',
      id: 'rv-save',
      onclick: (e) => {
        const criteria = [];
        for (const c of rv.criteria) {
          const v = document.getElementById(`rv-score-${c.id}`).value.trim();
          if (v !== '') criteria.push({ criterion: c.id, score: Number(v), comment: document.getElementById(`rv-comment-${c.id}`).value });
        }
        const total = document.getElementById('rv-total').value.trim();
        const json = { criteria, total_comment: document.getElementById('rv-total-comment').value, revision: rv.revision };
        if (total !== '') json.total_score = Number(total);
        send(e.target, 'PUT', `${path}/review`, json);
      },
    }, t('saveReview'))
    : null;
  const disputes = rv.disputes.length
    ? h('div', { class: 'disputes' }, h('h3', null, t('disputesTitle')), h('ol', { class: 'dispute-list' }, rv.disputes.map((d) => h(
      'li',
      { id: `dispute-item-${d.id}`, 'data-status': d.status },
      h('strong', null, `#${d.id} · ${(rv.criteria.find((c) => c.id === d.criterion) || {}).title || d.criterion} · `, h('span', { class: `status status-${d.status === 'open' ? 'queued' : d.status === 'accepted' ? 'done' : 'failed'}` }, t(`disputeStatus:${d.status}`))),
      h('p', null, t('disputeBy', { who: who(d.by), when: fmtDate(d.at), comment: d.comment })),
      d.status !== 'open'
        ? h('p', { class: 'muted' }, t('resolvedBy', { status: t(`disputeStatus:${d.status}`), who: who(d.resolved_by), when: fmtDate(d.resolved_at) }),
          d.score != null ? ` · ${d.score}` : '', d.reason ? ` · ${d.reason}` : '')
        : null,
      d.status === 'open' && lead
        ? h(
          'div',
          { class: 'resolve' },
          field(`resolve-score-${d.id}`, t('newScore'), h('input', { type: 'number', min: 0, max: 100, id: `resolve-score-${d.id}`, inputmode: 'numeric', 'data-field': 'score' })),
          field(`resolve-reason-${d.id}`, t('rejectReason'), h('input', { type: 'text', maxlength: 2000, id: `resolve-reason-${d.id}`, 'data-field': 'reason' })),
          h('div', { class: 'actions' },
            h('button', {
              type: 'button',
              class: 'btn small primary',
              id: `resolve-accept-${d.id}`,
              onclick: (e) => {
                const s = document.getElementById(`resolve-score-${d.id}`).value.trim();
                send(e.target, 'POST', `${path}/disputes/${d.id}/resolution`, { decision: 'accept', score: s === '' ? undefined : Number(s), reason: document.getElementById(`resolve-reason-${d.id}`).value, revision: rv.revision });
              },
            }, t('accept')),
            h('button', {
              type: 'button',
              class: 'btn small',
              id: `resolve-reject-${d.id}`,
              onclick: (e) => send(e.target, 'POST', `${path}/disputes/${d.id}/resolution`, { decision: 'reject', reason: document.getElementById(`resolve-reason-${d.id}`).value, revision: rv.revision }),
            }, t('reject'))),
        )
        : null,
    ))))
    : null;
  return h(
    'div',
    null,
    h('p', { id: 'review-status', class: 'muted' }, rv.reviewed_at ? t('reviewedBy', { who: who(rv.reviewer), when: fmtDate(rv.reviewed_at) }) : t('notReviewed'),
      ' · ', h('span', { id: 'review-states' }, rv.states.map((s) => t(`review:${s}`)).join(', '))),
    note ? h('p', { class: 'notice', role: 'status', id: 'review-saved' }, note) : null,
    h('div', { class: 'table-wrap' }, h(
      'table',
      { class: 'table stack', id: 'review-table' },
      h('thead', null, h('tr', null, [t('colCriterion'), t('colModel'), t('colHuman'), t('colComment'), t('colDispute')].map((x, i) => h('th', { scope: 'col', class: i === 1 || i === 2 ? 'num' : null }, x)))),
      h('tbody', null, rows),
      h('tfoot', null, h(
        'tr',
        null,
        h('th', { scope: 'row' }, t('modelTotal'), ' / ', t('humanTotal')),
        h('td', { class: 'num' }, scoreChip(rv.model_total)),
        h('td', { class: 'num' }, lead
          ? h('input', { type: 'number', min: 0, max: 100, inputmode: 'numeric', class: 'score-input', id: 'rv-total', value: rv.human_total == null ? '' : String(rv.human_total), 'aria-label': t('humanTotal'), 'data-field': 'total_score' })
          : h('span', { id: 'human-total' }, scoreChip(rv.human_total))),
        h('td', { colspan: 2 }, lead
          ? h('input', { type: 'text', maxlength: 2000, id: 'rv-total-comment', value: rv.total_comment || '', 'aria-label': t('totalComment') })
          : rv.total_comment || ''),
      )),
    )),
    save ? h('div', { class: 'actions' }, save) : null,
    errs,
    disputes,
  );
}

// agreementChart is a horizontal bar per criterion: exact agreement in %.
function agreementChart(group) {
  const rows = group.criteria;
  const W = 720;
  const rowH = 28;
  const left = 270;
  const H = rows.length * rowH + 30;
  const x = (v) => left + (Math.max(0, Math.min(1, v)) * (W - left - 70));
  const svg = h('svg:svg', { class: 'chart agreement-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('chartAgreement'), preserveAspectRatio: 'xMidYMid meet' });
  for (const g of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(
      h('svg:line', { class: 'grid', x1: x(g), x2: x(g), y1: 4, y2: H - 22 }),
      h('svg:text', { class: 'axis', x: x(g), y: H - 6, 'text-anchor': 'middle' }, `${g * 100}`),
    );
  }
  rows.forEach((c, i) => {
    const y = 6 + i * rowH;
    const v = c.exact_agreement == null ? 0 : c.exact_agreement;
    const title = group.titles[c.id] || c.id;
    svg.append(
      h('svg:text', { class: 'axis label', x: left - 8, y: y + 15, 'text-anchor': 'end' }, title.length > 34 ? `${title.slice(0, 33)}…` : title),
      h('svg:rect', { class: `ag-bar band-fill-${band(v * 100)}`, x: left, y, width: Math.max(1, x(v) - left), height: rowH - 10, 'data-criterion': c.id, 'data-value': String(v) },
        h('svg:title', null, `${title}: ${pct(c.exact_agreement)}, κ ${num(c.kappa)}, ${t('mad')} ${num(c.mean_absolute_difference, 1)}`)),
      h('svg:text', { class: 'axis', x: x(v) + 6, y: y + 14 }, pct(c.exact_agreement)),
    );
  });
  return h('div', { class: 'chart-wrap' }, svg);
}

async function renderAgreement(route, signal) {
  const values = {};
  for (const k of ['scorecard', 'version', 'mode', 'manager_id']) if (route.query.get(k)) values[k] = route.query.get(k);
  const results = h('div', { id: 'agreement', 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('loading')));
  const csv = can('export') ? h('a', { class: 'btn', id: 'agreement-csv', href: `/agreement${query({ ...values, format: 'csv' })}`, download: 'agreement.csv' }, t('exportCsv')) : null;
  setView(
    h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, t('agreementTitle')), csv),
    h('p', { class: 'lead' }, t('agreementLead')),
    h('p', { class: 'hint', id: 'published' }, t('published')),
    results,
  );
  const ag = await api(`/agreement${query(values)}`, { signal });
  results.setAttribute('aria-busy', 'false');
  if (!ag.groups.length) {
    fill(results, h('p', { class: 'empty' }, t('agreementEmpty')));
    return;
  }
  const figureRow = (label, f, id) => h(
    'tr',
    { 'data-row': id },
    h('th', { scope: 'row', 'data-label': t('colCriterion') }, label),
    h('td', { class: 'num', 'data-label': t('pairs') }, String(f.n)),
    h('td', { class: 'num', 'data-label': t('exactAgreement'), 'data-k': 'exact' }, pct(f.exact_agreement)),
    h('td', { class: 'num', 'data-label': t('kappa'), 'data-k': 'kappa' }, f.kappa == null && f.n ? t('undefinedKappa') : num(f.kappa)),
    h('td', { class: 'num', 'data-label': t('mad'), 'data-k': 'mad' }, num(f.mean_absolute_difference, 1)),
    h('td', { class: 'num', 'data-label': t('bias'), 'data-k': 'bias' }, num(f.bias, 1)),
  );
  fill(results, ag.groups.map((g, gi) => h(
    'section',
    { class: 'card agreement-group', id: `ag-group-${gi}` },
    h('h2', null, g.scorecard
      ? t('agreementGroup', { card: g.scorecard, version: g.scorecard_version, mode: modeName(g.mode), n: `${g.calls} ${plural('reviewedCalls', g.calls)}` })
      : t('agreementGroupDefault', { card: t('noScorecard'), mode: modeName(g.mode), n: `${g.calls} ${plural('reviewedCalls', g.calls)}` })),
    h(
      'div',
      { class: 'stats' },
      [[t('exactAgreement'), pct(g.overall.exact_agreement), 'ag-exact'], [t('kappa'), g.overall.kappa == null ? t('undefinedKappa') : num(g.overall.kappa), 'ag-kappa'],
        [t('mad'), num(g.overall.mean_absolute_difference, 1), 'ag-mad']].map(([k, v, id]) => h('div', { class: 'stat card' }, h('div', { class: 'stat-label' }, k), h('div', { class: 'stat-value', id: `${id}-${gi}` }, v))),
    ),
    h('h3', null, t('chartAgreement')),
    agreementChart(g),
    g.worst.length ? h('p', { id: `ag-worst-${gi}` }, h('strong', null, `${t('worst')}: `), g.worst.map((id) => g.titles[id] || id).join(', ')) : null,
    h('div', { class: 'table-wrap' }, h(
      'table',
      { class: 'table stack', id: `ag-table-${gi}` },
      h('thead', null, h('tr', null, [t('colCriterion'), t('pairs'), t('exactAgreement'), t('kappa'), t('mad'), t('bias')].map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null }, x)))),
      h('tbody', null, figureRow(t('overall'), g.overall, 'overall'), figureRow(t('totalRow'), g.total, 'total'), g.criteria.map((c) => figureRow(g.titles[c.id] || c.id, c, c.id))),
    )),
  )));
}

// ---------------------------------------------------------------- router

function parseRoute() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const qi = raw.indexOf('?');
  const path = qi < 0 ? raw : raw.slice(0, qi);
  let parts;
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch (_) {
    parts = ['?'];
  }
  return { parts, query: new URLSearchParams(qi < 0 ? '' : raw.slice(qi + 1)) };
}

function render(focus = false) {
  if (state.routeAbort) state.routeAbort.abort();
  const ctl = new AbortController();
  state.routeAbort = ctl;
  const hash = location.hash;
  const v = view();
  // aria-busy and data-rendered tell assistive technology (and tests) when
  // the page for this address has its data.
  v.setAttribute('aria-busy', 'true');
  v.dataset.rendered = '';
  const done = () => {
    if (state.routeAbort !== ctl) return;
    v.setAttribute('aria-busy', 'false');
    v.dataset.rendered = hash;
  };
  const route = parseRoute();
  const [a, b, ...rest] = route.parts;
  let name = 'none';
  let work = null;
  // Pages a role may not use are neither linked nor shown; the server
  // refuses their requests anyway.
  const need = { '': 'analyze', history: 'read', managers: 'read', calls: 'read', agreement: 'read', admin: 'admin', scorecards: 'scorecards' }[a || ''];
  if (a === 'login' || !state.me) {
    name = 'login';
    if (state.me) location.hash = '#/';
    else renderLogin();
  } else if (need && !can(need)) {
    setView(h('h1', { tabindex: -1 }, t('notAllowed')), localBanner());
  } else if (a === 'admin' && !b) {
    name = 'admin';
    work = renderAdmin(ctl.signal).catch((err) => {
      if (err.name !== 'AbortError') setView(h('h1', { tabindex: -1 }, t('navAdmin')), errorBox(err, () => render()));
    });
  } else if (!a) {
    name = 'analyze';
    renderAnalyze();
    const banner = localBanner();
    if (banner) view().prepend(banner);
  } else if (a === 'scorecards' && !rest.length) {
    name = 'scorecards';
    work = renderScorecards(b, ctl.signal).catch((err) => {
      if (err.name !== 'AbortError') setView(h('h1', { tabindex: -1 }, t('scorecardsTitle')), errorBox(err, () => render()));
    });
  } else if (a === 'history' && !b) {
    name = 'history';
    work = renderHistory(route, ctl.signal);
  } else if (a === 'managers' && !b) {
    name = 'managers';
    work = renderManagers(route, ctl.signal);
  } else if (a === 'managers' && b && !rest.length) {
    name = 'managers';
    work = renderManager(route, b, ctl.signal);
  } else if (a === 'agreement' && !b) {
    name = 'agreement';
    work = renderAgreement(route, ctl.signal).catch((err) => {
      if (err.name !== 'AbortError') fill(document.getElementById('agreement') || view(), errorBox(err, () => render()));
    });
  } else if (a === 'calls' && b && !rest.length) {
    name = 'history';
    work = renderCall(b, ctl.signal, done);
  } else {
    setView(h('h1', { tabindex: -1 }, t('notFound')), h('p', null, h('a', { href: '#/' }, t('navAnalyze'))));
  }
  for (const link of document.querySelectorAll('#nav a[data-route]')) {
    if (link.dataset.route === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${document.querySelector('#view h1')?.textContent || ''} · callaudit`;
  if (focus) {
    // Move focus to the new page's heading so keyboard and screen-reader
    // users start there, as after a full page load.
    const h1 = document.querySelector('#view h1');
    if (h1) h1.focus({ preventScroll: false });
  }
  if (work) work.catch(() => {}).finally(done);
  else done();
}

function applyStatic() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
  const btn = document.getElementById('lang-switch');
  btn.textContent = t('langButton');
  btn.setAttribute('aria-label', t('switchLang'));
  btn.setAttribute('lang', state.lang === 'ru' ? 'en' : 'ru');
}

function setLang(lang) {
  state.lang = lang;
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch (_) {
    // Not remembered, but switched for this visit.
  }
  applyStatic();
  updateHeader();
  render();
}

async function start() {
  applyStatic();
  document.getElementById('lang-switch').addEventListener('click', () => setLang(state.lang === 'ru' ? 'en' : 'ru'));
  window.addEventListener('hashchange', () => render(true));
  await loadMe();
  updateHeader();
  if (state.me) await loadConfig();
  render();
  document.body.dataset.ready = 'true';
}

start();
