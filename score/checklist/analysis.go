package checklist

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// analysis is everything the criteria look at, computed once per call.
type analysis struct {
	d    *doc
	hits [numSignals][]hit
	// custom are the hits of the scorecard's own phrases, signal
	// numSignals+i at i.
	custom  [][]hit
	sentSig []uint64 // per sentence: bit s set when signal s starts in it
	segSig  []uint64 // per segment: the same per segment
	m       transcribe.Metrics
	lang    string
	opts    *options

	// Derived facts shared by several criteria.
	openQs, closedQs []int32 // manager question sentences
	clientQs         int
	firstOpenSeg     int32 // segment of the first open question, -1 when none
	objections       []objection
	next             nextStep
	critical         bool // the manager asked for card data or codes
	labelled         bool // at least one segment has a known speaker
	// ignoredRefusals are manager turns that went on with a step or
	// declared agreement right after the client refused.
	ignoredRefusals []int32
	// pressedOn are the manager's turns that pressed on after a refusal:
	// the ignored refusals, and the turn right after the client refused
	// that sells again (a pitch, a step or a proposal) rather than
	// accepting the no or saying goodbye. Found on first use
	// (pressedOnTurns): the default scorecard does not read it.
	pressedOn     []int32
	pressedOnDone bool
	// unheard: the client said their request was not heard, or the
	// manager sent them elsewhere with it (brush-off).
	unheard bool
	// callback: a short call in which the client could not talk and a
	// time to call back was agreed.
	callback bool
	// inbound: the client called; asking permission to talk and naming
	// the reason of the call are the caller's business then.
	inbound bool
	// needSeg is the client's first turn stating a need or a problem,
	// -1 when none; needMet says whether a later manager turn takes up
	// its words.
	needSeg int32
	needHit hit
	needMet bool

	// quotable: the call is in the report's language, so the
	// recommendations may quote it (set by recommend).
	quotable bool
	// results are the criteria's results by id, for the
	// recommendations; recs records where each recommendation came from.
	results map[string]result
	recs    []recSource

	stems   stemSet // scratch for findOffer, kept between calls
	offered offer   // found by offer, once
}

// objection is one client segment that objects and how it was answered.
type objection struct {
	seg   int32
	reply int32 // first manager segment answering it, -1 when none
	// What the reply (the manager's next two turns) had: empathy, a
	// clarifying question, a value argument, or arguing and pressing.
	empathy, question, value, bad bool
}

// nextStep is the best next step found in the call.
type nextStep struct {
	action, time, agree, vague bool
	refused                    bool  // the client refused it
	seg                        int32 // segment of the action, -1 when none
	hit                        hit   // the action's words
	agreeSeg                   int32
	// conditional: the manager only offered it on a condition left to
	// the client («если хотите, пришлю»), and the client did not take
	// it up; such an offer fixes no time.
	conditional bool
	// rank orders the candidates: the best step found is agreed with a
	// time, then timed, then agreed, then merely offered, then refused.
	rank int
}

// The ranks of next-step candidates.
const (
	rankRefused = iota + 1
	rankOffered
	rankAgreed
	rankTimed
	rankTimedAgreed
)

// result is the outcome of one criterion.
type result struct {
	score    int
	na       bool // not applicable to this call: reported with weight 0
	comment  string
	evidence []score.Evidence
	// advice is the recommendation the rules found fits what the call
	// lacked (the missed rows' advice, or the found row's), "" for the
	// criterion's general advice.
	advice string
	// done: a part of what the criterion asks for was achieved (a
	// require row found, or a pick-first row worth at least half), so
	// its general advice, which asks for all of it, does not fit.
	done bool
	// doneAdvice is the advice of the rows found: it asks for what the
	// call has.
	doneAdvice []string
	// capped: a cap lowered the score (rudeness outweighing courtesy
	// formulae); what it lacks is another criterion's advice.
	capped bool
}

func bit(s signal) uint64 { return 1 << uint(s) }

func (a *analysis) reset(d *doc, lang string, o *options) {
	a.d, a.lang, a.opts = d, lang, o
	a.sentSig = resize(a.sentSig, len(d.sents))
	a.segSig = resize(a.segSig, len(d.segs))
	a.openQs, a.closedQs = a.openQs[:0], a.closedQs[:0]
	a.objections = a.objections[:0]
	a.clientQs, a.firstOpenSeg = 0, -1
	a.next = nextStep{seg: -1, agreeSeg: -1}
	a.critical, a.labelled = false, false
	a.ignoredRefusals = a.ignoredRefusals[:0]
	a.pressedOn, a.pressedOnDone = a.pressedOn[:0], false
	a.unheard, a.callback, a.inbound = false, false, false
	a.needSeg, a.needMet = -1, false
	a.offered = offer{}
	if a.results == nil {
		a.results = map[string]result{}
	}
	clear(a.results)
	a.recs = a.recs[:0]
}

func resize(s []uint64, n int) []uint64 {
	if cap(s) < n {
		return make([]uint64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// derive computes the shared facts after the scan.
func (a *analysis) derive() {
	d := a.d
	for _, s := range negatable {
		a.hits[s] = a.dropNegated(a.hits[s])
	}
	a.deriveChoices()
	a.deriveTermQuestions()
	for s := range a.hits {
		for _, h := range a.hits[s] {
			a.sentSig[d.toks[h.first].sent] |= bit(signal(s))
			a.segSig[h.seg] |= bit(signal(s))
		}
	}
	for i := range d.segs {
		if d.segs[i].role != transcribe.RoleUnknown {
			a.labelled = true
		}
	}
	for si := range d.sents {
		s := &d.sents[si]
		role := d.segs[s.seg].role
		mask := a.sentSig[si]
		// A rude retort ("Ну и что?") is no question about the client.
		open := mask&bit(sigRude) == 0 && (mask&bit(sigTellMe) != 0 || (s.question && mask&bit(sigOpenWord) != 0))
		switch {
		case role == transcribe.RoleClient && s.question:
			a.clientQs++
		case roleFits(mgr, role) && open:
			a.openQs = append(a.openQs, int32(si))
			if a.firstOpenSeg < 0 {
				a.firstOpenSeg = s.seg
			}
		case roleFits(mgr, role) && s.question:
			a.closedQs = append(a.closedQs, int32(si))
		}
	}
	a.deriveTagSummaries()
	a.critical = len(a.hits[sigCardData]) > 0
	a.deriveRefusals()
	a.deriveObjections()
	a.deriveNextStep()
	a.unheard = len(a.hits[sigUnheard]) > 0 || len(a.hits[sigBrushOff]) > 0
	a.deriveCallback()
	a.inbound = a.deriveInbound()
	a.deriveNeed()
}

// maxNeedStems bounds the words of a stated need that are compared: a
// need is put in a sentence or two. needTurns is how early in the call it
// must be stated: later "нужна?" is a question about the offer.
const (
	maxNeedStems = 16
	needTurns    = 6
)

// deriveNeed finds the client's first turn stating a need or a problem
// and whether the manager's later turns take up its words (shared stems),
// other than to send the client elsewhere with it. "Да-да, я вас услышал"
// followed by an unrelated offer does not.
func (a *analysis) deriveNeed() {
	d := a.d
	var h hit
	found := false
	for _, x := range a.hits[sigNeed] {
		if int(x.seg) >= needTurns {
			break
		}
		// A need is stated, not asked: «кошка — это проблема?» asks
		// about the offer.
		if !a.isManager(int(x.seg)) && !a.d.sents[a.d.toks[x.first].sent].question {
			h, found = x, true
			break
		}
	}
	if !found {
		return
	}
	var buf [maxNeedStems]uint32
	stems := buf[:0]
	sg := &d.segs[h.seg]
	for i := sg.firstTok; i < sg.endTok && len(stems) < maxNeedStems; i++ {
		if v := d.toks[i].stem; v != stemShort && v != stemOther && !stopCodes.has(v) && !slices.Contains(stems, v>>6) {
			// Four letters of the five: «кошка» and «кошек» differ in
			// the fifth.
			stems = append(stems, v>>6)
		}
	}
	if len(stems) == 0 {
		return
	}
	a.needSeg, a.needHit = h.seg, h
	for s := int(h.seg) + 1; s < len(d.segs) && !a.needMet; s++ {
		if !a.isManager(s) || a.d.segs[s].role == transcribe.RoleUnknown {
			continue
		}
		for i := d.segs[s].firstTok; i < d.segs[s].endTok; i++ {
			if a.sentSig[d.toks[i].sent]&bit(sigBrushOff) != 0 {
				continue
			}
			if v := d.toks[i].stem; v != stemShort && v != stemOther && slices.Contains(stems, v>>6) {
				a.needMet = true
				break
			}
		}
	}
}

// deriveInbound recognises an inbound call: the manager's first turn
// answers for the company ("Слушаю вас", "How can I help?"), or the call
// opens with the client stating a request rather than a bare "Алло".
func (a *analysis) deriveInbound() bool {
	// The client saying why they call, early and before any reason the
	// manager gave, makes the call inbound however the manager answered
	// («Автоцентр «Мотор», Ольга, здравствуйте!» — «Я хотел про трейд-ин
	// узнать»).
	if h, ok := a.hitWithin(sigCalling, 3); ok {
		if r, ok := a.hitWithin(sigReason, 3); !ok || r.seg > h.seg {
			return true
		}
	}
	for s := range a.d.segs {
		if a.isManager(s) {
			return a.segHas(s, sigInbound)
		}
		if a.d.segs[s].role == cli {
			sg := &a.d.segs[s]
			return sg.endTok-sg.firstTok >= 4 && !a.segHas(s, sigReason)
		}
	}
	return false
}

// deriveChoices adds to the client's buy signal their choosing an option
// with «давайте» and no verb: «Ну тогда давайте сто пятьдесят», «Давайте
// ОСАГО», «давайте „Оптимальный“». With a verb («давайте подумаю»,
// «давайте попробуем») or a time («давайте в субботу») the phrase
// tables decide.
func (a *analysis) deriveChoices() {
	d := a.d
	added := false
	for _, h := range a.hits[sigAgree] {
		w := d.word(int(h.first))
		if (w != "давайте" && w != "давай") || h.first+1 >= d.segs[h.seg].endTok || d.segs[h.seg].role != cli ||
			h.first-d.segs[h.seg].firstTok >= agreeWords || d.toks[h.first+1].sent != d.toks[h.first].sent {
			continue
		}
		if next := d.word(int(h.first + 1)); d.toks[h.first+1].numeric || choiceWord(next) {
			a.hits[sigBuy] = append(a.hits[sigBuy], hit{seg: h.seg, first: h.first, end: h.first + 2})
			added = true
		}
	}
	if added {
		slices.SortFunc(a.hits[sigBuy], func(x, y hit) int { return cmp.Compare(x.first, y.first) })
		a.hits[sigBuy] = slices.CompactFunc(a.hits[sigBuy], func(x, y hit) bool { return x.first == y.first })
	}
}

// deriveTermQuestions adds to the client's interest their questions about
// the terms of a purchase: «А ипотеку можно?», «А торг есть?», "Is there
// an extra charge for that?". A cautious client who weighs the offer asks
// them without saying it is interesting; a statement of the price («цена
// высокая») is no question and objects rather than asks.
func (a *analysis) deriveTermQuestions() {
	d := a.d
	added := false
	last := int32(-1)
	for _, h := range a.hits[sigTerms] {
		si := d.toks[h.first].sent
		if si == last || d.segs[h.seg].role != cli || !d.sents[si].question || a.insists(h.seg, si) {
			continue
		}
		last = si
		a.hits[sigInterest] = append(a.hits[sigInterest], h)
		added = true
	}
	if added {
		slices.SortFunc(a.hits[sigInterest], func(x, y hit) int { return cmp.Compare(x.first, y.first) })
		a.hits[sigInterest] = slices.CompactFunc(a.hits[sigInterest], func(x, y hit) bool { return x.first == y.first })
	}
}

// insists reports whether client sentence si of segment seg presses a
// question the client asked before or is lost: it opens with «так» («Так
// когда можно приехать?», "So how much is it?") or «подождите» («Подождите,
// это платно вообще?»), or the turn is confused,
// irritated or says the client was not heard. Such a question asks for an
// answer the call has not given, not about buying.
func (a *analysis) insists(seg int32, si int32) bool {
	switch a.d.word(int(a.d.sents[si].firstTok)) {
	case "так", "so", "подождите", "погодите", "wait":
		return true
	}
	return a.grudging(int(seg)) || a.segHas(int(seg), sigUnheard)
}

// choiceStops are the words after «давайте» that name no option: pronouns,
// prepositions, conjunctions and adverbs of time or manner («давайте без
// сказок», «давайте, если так»).
var choiceStops = map[string]bool{
	"я": true, "мы": true, "вы": true, "так": true, "тогда": true, "в": true, "во": true, "на": true, "после": true,
	"через": true, "до": true, "с": true, "со": true, "к": true, "по": true, "сначала": true, "потом": true, "лучше": true,
	"не": true, "ещё": true, "еще": true, "уже": true, "завтра": true, "сегодня": true, "это": true, "этот": true, "его": true,
	"ее": true, "их": true, "всё": true, "все": true, "пока": true, "попозже": true, "позже": true, "как": true, "только": true,
	"без": true, "за": true, "из": true, "о": true, "об": true, "про": true, "у": true, "если": true, "но": true, "а": true,
	"и": true, "же": true, "ну": true, "вот": true, "тут": true, "там": true, "чтобы": true,
}

// verbEndings end the verbs said after «давайте».
var verbEndings = []string{"ем", "им", "ём", "ть", "ти", "ся", "сь", "ю", "у", "те"}

// choiceWord reports whether w, said after «давайте», names an option: it
// is no stop word and has no verb ending (1st person «попробуем»,
// «подумаю», infinitive «оформить», reflexive «созвонимся», imperative
// «узнайте»).
func choiceWord(w string) bool {
	if choiceStops[w] || utf8.RuneCountInString(w) < 2 {
		return false
	}
	for _, end := range verbEndings {
		if strings.HasSuffix(w, end) {
			return false
		}
	}
	r, _ := utf8.DecodeRuneInString(w)
	return r >= 'а' && r <= 'я' || r == 'ё'
}

// negatable are the client's positive signals a negation in front turns
// around: «не нравится», «не подходит», "not great".
var negatable = []signal{sigInterest, sigBuy, sigAgree, sigConfirm, sigNeed, sigUnderstood}

// dropNegated removes the hits preceded by a negation in the same turn.
func (a *analysis) dropNegated(hs []hit) []hit {
	out := hs[:0]
	for _, h := range hs {
		if h.first > a.d.segs[h.seg].firstTok {
			switch a.d.word(int(h.first - 1)) {
			case "не", "not", "don't", "doesn't", "never", "ни", "no":
				continue
			}
		}
		out = append(out, h)
	}
	return out
}

// refuses reports whether client segment seg refuses what was proposed: a
// refusal phrase, a rejection, or a bare "Нет"/"No" opening it.
func (a *analysis) refuses(seg int) bool {
	if seg < 0 || seg >= len(a.d.segs) || a.isManager(seg) {
		return false
	}
	closing := func() bool {
		// "Что-то ещё?" — "Нет, спасибо" closes the call.
		prev := a.prevTurn(seg)
		return prev >= 0 && a.segHas(prev, sigAnythingElse)
	}
	if a.segHas(seg, sigRefuse) || a.segHas(seg, sigReject) {
		return !closing()
	}
	sg := &a.d.segs[seg]
	if sg.firstTok >= sg.endTok {
		return false
	}
	first := sg.firstTok
	if fillers[a.d.word(int(first))] && first+1 < sg.endTok {
		// "Ну нет", "Well, no, not really": a filler before the no.
		first++
	}
	switch a.d.word(int(first)) {
	case "нет", "no", "nope":
		if closing() {
			return false
		}
		// "Нет, давайте тариф" turns a question down to agree.
		return !a.segHas(seg, sigAgree) && !a.segHas(seg, sigBuy)
	}
	return false
}

// prevTurn returns the segment before seg spoken by someone else, -1 when
// none.
func (a *analysis) prevTurn(seg int) int {
	for s := seg - 1; s >= 0; s-- {
		if a.d.segs[s].role != a.d.segs[seg].role {
			return s
		}
	}
	return -1
}

// fillers are words a spoken answer may open with before its "нет"/"no".
var fillers = map[string]bool{"ну": true, "хм": true, "э": true, "well": true, "hm": true, "uh": true, "um": true}

// grudging reports whether client segment seg says yes only in words:
// "Fine. Whatever." or "Ну ладно… я так и не поняла" commits to nothing.
func (a *analysis) grudging(seg int) bool {
	return a.segHas(seg, sigHostile) || a.segHas(seg, sigConfused)
}

// clientTurn returns the first client segment after seg (dir 1) or before
// it (dir -1) within replyWithin segments, -1 when none.
func (a *analysis) clientTurn(seg, dir int) int {
	for s := seg + dir; s >= 0 && s < len(a.d.segs) && s != seg+dir*(replyWithin+1); s += dir {
		if !a.isManager(s) {
			return s
		}
	}
	return -1
}

// deriveRefusals finds the manager's turns that go on with a step, a time
// or a declared agreement («Договорились», "we're agreed") right after the
// client refused: the refusal decides, and pressing on is pressure. Once
// the client has refused twice, every later turn that sells again (a
// benefit, a value argument, pressure) presses on too: one more argument
// answers an objection, a third pitch of a twice-refused offer does not.
func (a *analysis) deriveRefusals() {
	refusals := 0
	for s := range a.d.segs {
		if a.busyIgnored(s) {
			a.ignoredRefusals = append(a.ignoredRefusals, int32(a.nextManagerTurn(s)))
			continue
		}
		if refusals >= 2 && a.isManager(s) && a.pitches(s) {
			a.ignoredRefusals = append(a.ignoredRefusals, int32(s))
			continue
		}
		if !a.refuses(s) {
			continue
		}
		if a.segHas(s, sigRefuse) || a.segHas(s, sigReject) {
			// A refusal in words; a bare "Нет" answers questions too
			// («Нет ещё, смотрим»).
			refusals++
		}
		for m := s + 1; m < len(a.d.segs) && m <= s+2; m++ {
			if !a.isManager(m) {
				continue
			}
			if (a.segHas(m, sigClaimAgree) || (a.segHas(m, sigAction) && a.segHas(m, sigTime))) && !(refusals >= 2 && a.pitches(m)) {
				a.ignoredRefusals = append(a.ignoredRefusals, int32(m))
			}
			break
		}
	}
}

// pressedOnTurns returns, found once per call, the manager's turns that
// pressed on after a refusal: the ignored refusals, and the manager's
// reply to a client's refusal that sells again — a pitch, a step or a proposal — without
// taking the no first («Понимаю. Но с программой вы сэкономите!», «Давайте я
// вам ссылку на оплату пришлю»). Over the development and first held-out
// sets no call graded good as a conversation has such a reply; most bad
// ones have one or more. Manager+ keeps crediting one argument against an
// objection; the conversation is spoilt by it.
func (a *analysis) pressedOnTurns() []int32 {
	if a.pressedOnDone {
		return a.pressedOn
	}
	a.pressedOnDone = true
	a.pressedOn = append(a.pressedOn, a.ignoredRefusals...)
	for s := range a.d.segs {
		if a.d.segs[s].role != cli || !a.refuses(s) {
			continue
		}
		m := a.nextManagerTurn(s)
		// Taking the no first («Хорошо. Если вдруг понадобится…», "Sure,
		// if you decide…") and leaving the door open is no pressing.
		takesNo := a.opensWith(m, sigAgreeMgr) || a.segHas(m, sigConditional) || a.segHas(m, sigVague)
		if m >= 0 && !takesNo && !a.segHas(m, sigFarewell) &&
			(a.pitches(m) || a.segHas(m, sigAction) || a.segHas(m, sigPropose)) {
			a.pressedOn = append(a.pressedOn, int32(m))
		}
	}
	slices.Sort(a.pressedOn)
	a.pressedOn = slices.Compact(a.pressedOn)
	return a.pressedOn
}

// pitches reports whether manager segment seg sells: a benefit, a value
// argument or pressure.
func (a *analysis) pitches(seg int) bool {
	return a.segHas(seg, sigBenefit) || a.segHas(seg, sigValue) || a.segHas(seg, sigPressure)
}

// askTail is how many words may follow a question in the same turn
// before the question counts as not asked: "Удобно говорить? Это на пару
// минут." waits for the answer, a pitch after it does not.
const askTail = 6

// waitsForAnswer reports whether the question of hit h leaves the client
// room to answer: it ends the manager's turn, or only a few words follow.
// A formula («Вам удобно говорить?») followed by the rest of a pitch in
// the same breath asks nothing, so it counts only with what follows it.
func (a *analysis) waitsForAnswer(h hit) bool {
	si := a.d.toks[h.first].sent
	sg := &a.d.segs[h.seg]
	tail := sg.endTok - a.d.sents[si].endTok
	if tail <= askTail {
		return true
	}
	// "Удобно говорить? Я звоню по вашей заявке на сайте": the reason
	// for the call may follow before the client answers.
	if tail > reasonTail {
		return false
	}
	for s := si + 1; s < sg.endSent; s++ {
		if a.sentSig[s]&bit(sigReason) == 0 {
			return false
		}
	}
	return true
}

// reasonTail is how many words of the reason for the call may follow a
// permission question.
const reasonTail = 16

// busyIgnored reports whether client segment s says they cannot talk and
// the manager's next turn presses on with a question without offering
// another time: «Мне сейчас неудобно» — «Так интересно или нет?».
func (a *analysis) busyIgnored(s int) bool {
	if a.d.segs[s].role != cli || !a.segHas(s, sigBusy) {
		return false
	}
	m := a.nextManagerTurn(s)
	// Offering another time, or accepting the client's ("Of course. Six
	// today?"), is no pressing on.
	if m < 0 || a.segHas(m, sigTime) || a.segHas(m, sigAction) || a.segHas(m, sigPropose) || a.segHas(m, sigFarewell) || a.opensWith(m, sigAgreeMgr) {
		return false
	}
	for si := a.d.segs[m].firstSent; si < a.d.segs[m].endSent; si++ {
		if a.d.sents[si].question {
			return true
		}
	}
	return false
}

// nextManagerTurn returns the manager's first segment after s within
// replyWithin segments, -1 when none.
func (a *analysis) nextManagerTurn(s int) int {
	for m := s + 1; m < len(a.d.segs) && m <= s+replyWithin; m++ {
		if a.isManager(m) {
			return m
		}
	}
	return -1
}

// callbackTurns is the most turns a call may have to be a callback call.
const callbackTurns = 10

// deriveCallback recognises a short call in which the client says early
// that they cannot talk and a time to call back is agreed.
func (a *analysis) deriveCallback() {
	n := len(a.d.segs)
	if n > callbackTurns || !a.next.time || len(a.ignoredRefusals) > 0 {
		return
	}
	if h, ok := a.hitWithin(sigBusy, 4); ok && !a.isManager(int(h.seg)) {
		a.callback = true
	}
}

func (a *analysis) segHas(seg int, s signal) bool {
	return seg >= 0 && seg < len(a.segSig) && a.segSig[seg]&bit(s) != 0
}

func (a *analysis) isManager(seg int) bool { return roleFits(mgr, a.d.segs[seg].role) }

// deriveObjections finds client objections and what the manager's reply
// had: empathy, a clarifying question, a value argument, or arguing and
// pressing (the scorecard's rules grade it).
func (a *analysis) deriveObjections() {
	var last int32 = -1
	for _, h := range a.hits[sigObjection] {
		if h.seg == last || (a.answersDiscovery(int(h.seg)) && !a.objectsToSeller(h)) {
			continue
		}
		last = h.seg
		o := objection{seg: h.seg, reply: -1}
		var empathy, question, value, bad bool
		replies := 0
		for s := int(h.seg) + 1; s < len(a.d.segs) && replies < 2; s++ {
			if a.d.segs[s].role == transcribe.RoleClient && a.segHas(s, sigObjection) {
				break
			}
			if !a.isManager(s) {
				continue
			}
			if o.reply < 0 {
				o.reply = int32(s)
			}
			replies++
			empathy = empathy || a.segHas(s, sigEmpathy)
			value = value || a.segHas(s, sigValue) || a.segHas(s, sigBenefit)
			// Declaring a step or an agreement over the client's no
			// answers no objection (ignoredRefusals).
			bad = bad || a.segHas(s, sigDismiss) || a.segHas(s, sigPressure) || a.segHas(s, sigRude) ||
				slices.Contains(a.ignoredRefusals, int32(s))
			for si := a.d.segs[s].firstSent; si < a.d.segs[s].endSent; si++ {
				question = question || a.d.sents[si].question
			}
		}
		o.empathy, o.question, o.value, o.bad = empathy, question, value, bad
		a.objections = append(a.objections, o)
	}
}

// answersDiscovery reports whether client segment seg answers the
// manager's open question before the manager has offered anything: "Our
// car is getting expensive to fix" in reply to "What got you looking?"
// states the need; it objects to no offer (see offers).
func (a *analysis) answersDiscovery(seg int) bool {
	prev := a.prevTurn(seg)
	if prev < 0 || !a.isManager(prev) || !a.asksOpen(prev) {
		return false
	}
	for s := 0; s <= prev; s++ {
		if a.isManager(s) && a.offers(s) {
			return false
		}
	}
	return true
}

// sellerWords name the seller or what they sell: «вы», «ваш», "you".
var sellerWords = map[string]bool{
	"вы": true, "вас": true, "вам": true, "вами": true, "ваш": true, "ваша": true, "ваше": true, "ваши": true,
	"вашего": true, "вашей": true, "вашим": true, "you": true, "your": true, "you're": true, "yours": true,
}

// bareObjection are the words an objection said on its own may carry
// around it: «Это дорого для нас», "That's too expensive for us".
var bareObjection = map[string]bool{
	"это": true, "но": true, "да": true, "ну": true, "а": true, "очень": true, "слишком": true, "всё": true, "все": true,
	"для": true, "нас": true, "меня": true, "нам": true, "мне": true, "пока": true,
	"it's": true, "its": true, "it": true, "is": true, "that's": true, "that": true, "this": true, "but": true, "well": true,
	"too": true, "very": true, "really": true, "for": true, "us": true, "me": true, "a": true, "bit": true,
}

// objectsToSeller reports whether the sentence of objection hit h objects
// to the seller rather than describing the client's situation: it names
// them («у вас дорого», "you are too expensive"), or it is the objection
// said on its own («Дорого.», «Это дорого для нас.»). Such a sentence is
// an objection even in answer to a discovery question; "it's getting
// expensive to fix" is the client's need.
func (a *analysis) objectsToSeller(h hit) bool {
	sn := &a.d.sents[a.d.toks[h.first].sent]
	bare := true
	for i := sn.firstTok; i < sn.endTok; i++ {
		w := a.d.word(int(i))
		if sellerWords[w] {
			return true
		}
		if (i < h.first || i >= h.end) && !bareObjection[w] {
			bare = false
		}
	}
	return bare
}

// offerStems open the words of an offer: «Мы предлагаем уборку офисов»,
// "we offer", "I'd recommend".
var offerStems = []string{"предлага", "предлож", "рекоменд", "offer", "propos", "recommend"}

// offers reports whether manager segment seg offers something: a
// benefit, a value argument, a step, an offer word or a figure (a price).
func (a *analysis) offers(seg int) bool {
	if a.segHas(seg, sigBenefit) || a.segHas(seg, sigValue) || a.segHas(seg, sigAction) {
		return true
	}
	sg := &a.d.segs[seg]
	for i := sg.firstTok; i < sg.endTok; i++ {
		if a.d.toks[i].numeric {
			return true
		}
		w := a.d.word(int(i))
		for _, st := range offerStems {
			if strings.HasPrefix(w, st) {
				return true
			}
		}
	}
	return false
}

// asksOpen reports whether segment seg has an open question.
func (a *analysis) asksOpen(seg int) bool {
	for _, si := range a.openQs {
		if a.d.sents[si].seg == int32(seg) {
			return true
		}
	}
	return false
}

// timedHit is the hit to quote for the step of action hit h: in h's turn,
// a later action said with the time («Подключение стоит 10 тысяч.
// Созвонимся в четверг в 15:00» quotes the second); h when its own
// sentence has the time or no later one has both.
func (a *analysis) timedHit(h hit) hit {
	if a.sentHas(a.d.toks[h.first].sent, sigTime) {
		return h
	}
	for _, o := range a.hits[sigAction] {
		if o.seg == h.seg && o.first > h.first && a.sentHas(a.d.toks[o.first].sent, sigTime) {
			return o
		}
	}
	return h
}

// deriveNextStep looks for a concrete next step: an action by the manager,
// a day or time near it and the client's agreement; or a day or time that
// one side proposes and the other accepts in the next turn ("Удобно в
// четверг в 11:00?" / "Да, давайте"), whichever side proposed it.
func (a *analysis) deriveNextStep() {
	n := len(a.d.segs)
	// A step proposed in the first third of the call (an opener such
	// as "I'll send you…") is not how the call ended up; in a short call
	// only the first turn is an opener.
	from := n / 3
	if n <= callbackTurns {
		from = min(from, 1)
	}
	best := nextStep{seg: -1, agreeSeg: -1}
	consider := func(c nextStep) {
		switch {
		case c.refused:
			c.rank = rankRefused
		case c.time && c.agree:
			c.rank = rankTimedAgreed
		case c.time:
			c.rank = rankTimed
		case c.agree:
			c.rank = rankAgreed
		default:
			c.rank = rankOffered
		}
		if c.rank > best.rank {
			best = c
		}
	}
	for _, h := range a.hits[sigAction] {
		if int(h.seg) < from {
			continue
		}
		c := nextStep{action: true, seg: h.seg, hit: h, agreeSeg: -1}
		for s := max(0, int(h.seg)-2); s <= min(n-1, int(h.seg)+2); s++ {
			c.time = c.time || a.segHas(s, sigTime)
			commits := a.d.segs[s].role == cli && a.segHas(s, sigCommit)
			if s != int(h.seg) && a.d.segs[s].role != transcribe.RoleManager && (a.segHas(s, sigAgree) || a.segHas(s, sigBuy) || commits) && !a.refuses(s) && !a.grudging(s) &&
				(s > int(h.seg) || a.leadsToStep(s)) {
				c.agree = true
				c.agreeSeg = int32(s)
			}
		}
		// The client's answer decides: a refusal after the step, or one
		// before it that nothing reversed, means no step was agreed.
		next, prev := a.clientTurn(int(h.seg), 1), a.clientTurn(int(h.seg), -1)
		if !c.agree && a.picksTime(int(h.seg), next) {
			// «Вторник или среда?» — «Вторник, в одиннадцать»: the client
			// chose the time the manager asked for.
			c.agree, c.agreeSeg = true, int32(next)
		}
		if a.refuses(next) || (a.refuses(prev) && (next < 0 || int32(next) != c.agreeSeg)) {
			c.refused, c.agree, c.agreeSeg = true, false, -1
		} else if next >= 0 && a.grudging(next) {
			// "Ладно. Безобразие": the answer to the step agrees to nothing,
			// whatever was said before it.
			c.agree, c.agreeSeg = false, -1
		}
		if !c.agree && !c.refused && a.segHas(int(h.seg), sigConditional) {
			c.conditional, c.time = true, false
		}
		if c.time {
			c.hit = a.timedHit(h)
		}
		consider(c)
	}
	if best.rank < rankTimedAgreed {
		for _, h := range a.hits[sigTime] {
			if int(h.seg) < from || !a.proposes(h) {
				continue
			}
			if a.d.segs[h.seg].role == cli && a.brushedOffAfter(int(h.seg)) {
				// "Absolutely" to the client's request, then "call our
				// service line": the request was not taken up.
				continue
			}
			if s, ok := a.acceptedInNextTurn(int(h.seg)); ok {
				consider(nextStep{action: true, time: true, agree: true, seg: h.seg, hit: h, agreeSeg: int32(s)})
				break
			}
		}
	}
	best.vague = len(a.hits[sigVague]) > 0
	if len(a.ignoredRefusals) > 0 && !best.agree {
		// «Договорились» after «не обещаю» agrees on nothing.
		best.refused = true
	}
	a.next = best
}

// leadsToStep reports whether client turn s, said before a step, can be
// the client's assent to it: it names a time, asks for something, chooses
// («давайте „Оптимальный“»), or answers a manager's turn that proposed a
// step; «давайте …» asks for one. A «Да» to «вы подавали заявку?» or
// a restatement, and an «Okay» after a pitch, agree to no step that
// follows.
func (a *analysis) leadsToStep(s int) bool {
	if a.segHas(s, sigTime) || a.segHas(s, sigBuy) || a.asksInTurn(s) {
		return true
	}
	sg := &a.d.segs[s]
	for i := sg.firstTok; i < sg.endTok; i++ {
		switch a.d.word(int(i)) {
		case "давайте", "давай", "let's":
			// «Всё равно. Давайте ОСАГО»: the client asks for it.
			return true
		}
	}
	p := a.prevTurn(s)
	return p >= 0 && (a.segHas(p, sigAction) || a.segHas(p, sigTime) || a.segHas(p, sigPropose))
}

// asksInTurn reports whether segment s has a question.
func (a *analysis) asksInTurn(s int) bool {
	sg := &a.d.segs[s]
	for si := sg.firstSent; si < sg.endSent; si++ {
		if a.d.sents[si].question {
			return true
		}
	}
	return false
}

// picksTime reports whether the client's turn next answers the manager's
// question in turn seg ("Вторник или среда?", "Когда вам удобно?") by
// naming a time: choosing it agrees to the step. A turn that objects,
// says the client is busy or refuses picks nothing.
func (a *analysis) picksTime(seg, next int) bool {
	if next < 0 || !a.isManager(seg) || a.d.segs[next].role != cli {
		return false
	}
	sg := &a.d.segs[seg]
	if sg.endSent <= sg.firstSent || !a.d.sents[sg.endSent-1].question {
		return false
	}
	return a.opensWith(next, sigTime) && !a.refuses(next) && !a.segHas(next, sigObjection) && !a.segHas(next, sigBusy)
}

// proposes reports whether the sentence of time hit h proposes something:
// a question (in it or right after it) or a proposing word. "Доставка обычно во вторник" answered
// "Да, понятно" agrees on nothing.
func (a *analysis) proposes(h hit) bool {
	si := a.d.toks[h.first].sent
	if a.d.sents[si].question || a.sentSig[si]&(bit(sigPropose)|bit(sigAction)) != 0 {
		return true
	}
	// "Замер в субботу в 12:00. Договорились?": the question may follow
	// in the same turn.
	next := si + 1
	return int(next) < len(a.d.sents) && a.d.sents[next].seg == h.seg && a.d.sents[next].question
}

// agreeWords is how far into a turn an agreement may start to answer the
// turn before: "Да, давайте" does, "…но в четверг мне не удобно" does not.
const agreeWords = 3

// replyWithin is how many segments after a proposal its answer may come.
const replyWithin = 3

// acceptedInNextTurn reports whether the other side's next turn after
// segment seg begins by agreeing, and which segment that is. The
// proposer's role picks the agreement signal; unlabelled speech cannot
// tell who agrees with whom.
func (a *analysis) acceptedInNextTurn(seg int) (int, bool) {
	role := a.d.segs[seg].role
	var want signal
	switch role {
	case transcribe.RoleManager:
		want = sigAgree
	case transcribe.RoleClient:
		want = sigAgreeMgr
	default:
		return 0, false
	}
	// The reply is looked for a few segments ahead only (a turn split in
	// two, a stray fragment), which also keeps long one-sided
	// transcripts linear.
	for s := seg + 1; s < min(len(a.d.segs), seg+1+replyWithin); s++ {
		if a.d.segs[s].role == role {
			continue
		}
		if a.refuses(s) || a.segHas(s, sigObjection) || (want == sigAgree && a.grudging(s)) {
			return 0, false
		}
		// The reply begins by agreeing; or the manager names the time
		// back and acts on it ("Завтра в семь, Лесная 14… наберу вас").
		// The client may name the time back and agree to it in the same
		// breath: "Saturday at ten works", «В субботу в десять подходит»
		// («В четверг я на работе, мне бы удобно в выходные» does not).
		echo := a.opensWith(s, sigTime) && (a.segHas(s, sigAction) || a.segHas(s, sigClaimAgree)) && a.segHas(s, want)
		if want == sigAgree {
			echo = a.opensWith(s, sigTime) && a.opensWithin(s, sigAgree, echoAgreeWords)
		}
		return s, a.opensWith(s, want) || echo
	}
	return 0, false
}

// opensWith reports whether a hit of sig starts in the first agreeWords
// words of segment s. Hits are in spoken order, so the first one in s is
// found by binary search.
func (a *analysis) opensWith(s int, sig signal) bool { return a.opensWithin(s, sig, agreeWords) }

// opensWithin reports whether a hit of sig starts in the first n words of
// segment s, within its first sentence.
func (a *analysis) opensWithin(s int, sig signal, n int32) bool {
	if !a.segHas(s, sig) {
		return false
	}
	sg := &a.d.segs[s]
	hs := a.hits[sig]
	i, _ := slices.BinarySearchFunc(hs, sg.firstTok, func(h hit, t int32) int { return cmp.Compare(h.first, t) })
	return i < len(hs) && hs[i].seg == int32(s) && hs[i].first < sg.firstTok+n && a.d.toks[hs[i].first].sent == sg.firstSent
}

// echoAgreeWords is how far into a reply that names the proposed time
// back the agreement may start: "Saturday at ten works".
const echoAgreeWords = 5

// brushedOffAfter reports whether the manager sent the client elsewhere
// after segment seg.
func (a *analysis) brushedOffAfter(seg int) bool {
	hs := a.hits[sigBrushOff]
	return len(hs) > 0 && int(hs[len(hs)-1].seg) > seg
}

// summaryTags end a question that asks the client to confirm a restated
// need: "главное — тепло в спальне, верно?".
var summaryTags = map[string]bool{"верно": true, "правильно": true, "так": true, "да": true, "right": true, "correct": true}

// Bounds of the search for tag summaries, which compares words pairwise:
// summaryWindow segments or echoTokens client words back, the first
// echoWords words of the sentence, and at most tagChecks sentences per
// call, so that a huge or adversarial transcript stays linear. Real calls
// have a summary or two.
const (
	summaryWindow = 6
	echoTokens    = 200
	echoWords     = 30
	tagChecks     = 8
)

// summaryLeads open a restatement that has no set phrase: «Поняла:
// взрослый, боль в ухе третий день…», "So: ten days, a sandy beach…".
var summaryLeads = map[string]bool{"понял": true, "поняла": true, "итак": true, "значит": true, "so": true}

// leadEchoes is how many of the client's word stems a sentence opened by
// a summaryLeads word must reuse to be a restatement: one shared word
// is any reply ("So the price…"), three are the client's need retold.
const leadEchoes = 3

// deriveTagSummaries finds summaries phrased as a statement with a
// confirmation tag. Tags alone ("Удобно говорить, да?") are common, so
// the sentence must also reuse a word stem the client said shortly before.
// A statement opened by a summaryLeads word is a summary when it reuses
// leadEchoes of the client's stems.
func (a *analysis) deriveTagSummaries() {
	d := a.d
	checks := 0
	for si := range d.sents {
		if checks == tagChecks {
			return
		}
		s := &d.sents[si]
		if s.seg == 0 || s.endTok-s.firstTok < 4 || !roleFits(mgr, d.segs[s.seg].role) {
			continue
		}
		if a.sentSig[si]&(bit(sigSummary)|bit(sigPermission)|bit(sigTime)) != 0 {
			continue
		}
		want := 1
		switch {
		case s.question && summaryTags[d.word(int(s.endTok-1))]:
		case summaryLeads[d.word(int(s.firstTok))]:
			want = leadEchoes
		default:
			continue
		}
		checks++
		if a.echoesClient(s) < want {
			continue
		}
		h := hit{seg: s.seg, first: s.firstTok, end: s.endTok}
		hs := a.hits[sigSummary]
		i, _ := slices.BinarySearchFunc(hs, h.first, func(x hit, t int32) int { return cmp.Compare(x.first, t) })
		a.hits[sigSummary] = slices.Insert(hs, i, h)
		a.sentSig[si] |= bit(sigSummary)
		a.segSig[s.seg] |= bit(sigSummary)
	}
}

// echoesClient counts the words of sentence s (up to leadEchoes) whose
// stem the client said in the summaryWindow segments before it.
func (a *analysis) echoesClient(s *sentence) int {
	d := a.d
	n := 0
	for i := s.firstTok; i < min(s.endTok-1, s.firstTok+echoWords) && n < leadEchoes; i++ {
		st, ok := stem(d.word(int(i)))
		if !ok {
			continue
		}
		if a.clientSaid(s.seg, st) {
			n++
		}
	}
	return n
}

// clientSaid reports whether the client said a word starting with st in
// the summaryWindow segments before seg, looking back at most echoTokens
// words.
func (a *analysis) clientSaid(at int32, st string) bool {
	d := a.d
	budget := int32(echoTokens)
	for seg := int(at) - 1; seg >= 0 && seg >= int(at)-summaryWindow && budget > 0; seg-- {
		sg := &d.segs[seg]
		if sg.role != cli {
			continue
		}
		// The client's latest words first, up to the budget.
		from := max(sg.firstTok, sg.endTok-budget)
		budget -= sg.endTok - from
		for j := from; j < sg.endTok; j++ {
			if w := d.word(int(j)); strings.HasPrefix(w, st) {
				return true
			}
		}
	}
	return false
}

// evidenceRunes is the longest sentence evidence quotes whole; of a
// longer one it quotes the words around the hit.
const evidenceRunes = 160

// evidence quotes the sentence where h starts, verbatim. Long sentences
// are cut to the words around the match, still verbatim.
func (a *analysis) evidence(h hit) score.Evidence {
	d := a.d
	t := &d.toks[h.first]
	s := &d.sents[t.sent]
	text := d.segText(int(h.seg))
	start, end := int(s.start), int(s.end)
	if utf8.RuneCountInString(text[start:end]) > evidenceRunes {
		from := max(int(s.firstTok), int(h.first)-6)
		to := min(int(s.endTok), int(h.end)+8)
		start, end = int(d.toks[from].start), int(d.toks[to-1].end)
	}
	q := strings.TrimSpace(text[start:end])
	return a.quote(int(h.seg), q)
}

// sentenceEvidence quotes sentence si verbatim.
func (a *analysis) sentenceEvidence(si int32) score.Evidence {
	s := &a.d.sents[si]
	text := a.d.segText(int(s.seg))
	return a.quote(int(s.seg), strings.TrimSpace(text[s.start:s.end]))
}

// segmentEvidence quotes the first sentence of segment seg.
func (a *analysis) segmentEvidence(seg int32) (score.Evidence, bool) {
	sg := &a.d.segs[seg]
	if sg.firstSent >= sg.endSent {
		return score.Evidence{}, false
	}
	return a.sentenceEvidence(sg.firstSent), true
}

// sentenceWith quotes the first sentence of segment seg in which one of
// the signals was found, else the segment's first sentence; none for -1.
func (a *analysis) sentenceWith(seg int, sigs ...signal) (score.Evidence, bool) {
	if seg < 0 {
		return score.Evidence{}, false
	}
	sg := &a.d.segs[seg]
	for _, s := range sigs {
		for si := sg.firstSent; si < sg.endSent; si++ {
			if a.sentHas(si, s) {
				return a.sentenceEvidence(si), true
			}
		}
	}
	return a.segmentEvidence(int32(seg))
}

func (a *analysis) quote(seg int, q string) score.Evidence {
	s := a.d.tr.Segments[seg]
	ev := score.Evidence{Quote: q, Segment: seg, Speaker: s.Speaker, Grounded: true}
	if s.Start != nil {
		v := *s.Start
		ev.Start = &v
	}
	return ev
}

// firstHits returns evidence for up to n hits of the signals, in spoken
// order of the signals given, one quote per sentence.
func (a *analysis) firstHits(n int, sigs ...signal) []score.Evidence {
	var out []score.Evidence
	// The sentences quoted so far; on the stack for the usual few quotes,
	// grown by append for more.
	var buf [4]int32
	seen := buf[:0]
	for _, s := range sigs {
		for _, h := range a.hitsOf(s) {
			if len(out) >= n {
				return out
			}
			sent := a.d.toks[h.first].sent
			if slices.Contains(seen, sent) {
				continue
			}
			seen = append(seen, sent)
			out = append(out, a.evidence(h))
		}
	}
	return out
}

// hitWithin returns the first hit of s in the first n segments.
func (a *analysis) hitWithin(s signal, n int) (hit, bool) {
	// Hits are in spoken order: the first one decides.
	if hs := a.hitsOf(s); len(hs) > 0 && int(hs[0].seg) < n {
		return hs[0], true
	}
	return hit{}, false
}

// managerTalkShare is the manager's share of the words, and whether it is
// known (it is not when the speakers are unlabelled).
func (a *analysis) managerTalkShare() (float64, bool) {
	if a.m.ManagerWords+a.m.ClientWords == 0 {
		return 0, false
	}
	return a.m.ManagerTalkShare, true
}

// tr picks the report language's variant of a message.
func (a *analysis) tr(ru, en string) string {
	if a.lang == "en" {
		return en
	}
	return ru
}

var analysisPool = sync.Pool{New: func() any { return new(analysis) }}

// introTurns is how many of the manager's first turns an introduction
// is looked for in.
const introTurns = 2

// selfIntroduction finds the manager introducing themselves in plain words
// in their first turns, from the raw text: "Это Ольга", «я Олег», "Ольга, агентство
// «Дом»", "Банк «Северный», Елена", «Связь плюс, Наталья, здравствуйте»,
// «менеджер Алина», and whether a company was named: in «quotes», as a
// brand written with an inner capital ("HomeNest", «ТрансЛинк»), or as
// capitalised words before "this is …" ("SunPath Travel, this is Elena").
// A capitalised word followed by "?" is the client's name ("Алло,
// Андрей?"), not the manager's.
func (a *analysis) selfIntroduction() (nameSeg, companySeg int) {
	nameSeg, companySeg = -1, -1
	seen := 0
	for s := 0; s < len(a.d.segs) && seen < introTurns; s++ {
		if !a.isManager(s) {
			continue
		}
		seen++
		text := a.d.segText(s)
		words := strings.Fields(text)
		if companySeg < 0 && (strings.Contains(text, "«") || namesBrand(words)) {
			companySeg = s
		}
		if nameSeg >= 0 {
			continue
		}
		for i, w := range words {
			var prev, next string
			if i > 0 {
				prev = strings.ToLower(words[i-1])
			}
			if i+1 < len(words) {
				next = words[i+1]
			}
			switch {
			case selfWords[strings.ToLower(strings.Trim(w, ",."))] && personName(next):
			case strings.HasSuffix(w, "»,") && personName(next):
			case staffTitles[strings.ToLower(w)] && personName(next):
			case personName(w) && strings.HasSuffix(w, ",") && !greetWords[strings.ToLower(strings.Trim(w, ","))] && companyAhead(words[i+1:]):
			// «Связь плюс, Наталья, здравствуйте»: a name between the
			// company and the greeting; «Добрый день, Алексей, …»
			// addresses the client instead.
			// What comes before the name is the company.
			case i > 0 && personName(w) && strings.HasSuffix(w, ",") && strings.HasSuffix(prev, ",") &&
				!greetWords[strings.Trim(prev, ",")] && greetWords[strings.ToLower(strings.Trim(next, ",.!"))]:
				if companySeg < 0 {
					companySeg = s
				}
			default:
				continue
			}
			nameSeg = s
			break
		}
	}
	return nameSeg, companySeg
}

// companyAhead reports whether a company is named in the next few words:
// "Ольга, агентство «Дом»", «Наталья, кадровое агентство «Штат»».
func companyAhead(words []string) bool {
	for _, w := range words[:min(3, len(words))] {
		if strings.HasPrefix(w, "«") || companyWords[strings.ToLower(strings.Trim(w, ",."))] {
			return true
		}
	}
	return false
}

// namesBrand reports whether the words name a company without «quotes»:
// a word with an inner capital ("HomeNest", «ТрансЛинк»), or two
// capitalised words ending in a comma before "this is"/"it's"/"my name"
// ("SunPath Travel, this is Elena"; "Hi Rachel, this is Tom" addresses
// the client).
func namesBrand(words []string) bool {
	for i, w := range words {
		if innerCapital(strings.TrimRight(w, ",.!")) {
			return true
		}
		if i == 0 || !strings.HasSuffix(w, ",") || i+1 >= len(words) {
			continue
		}
		switch strings.ToLower(words[i+1]) {
		case "this", "it's", "my":
		default:
			continue
		}
		if capitalised(w) && capitalised(words[i-1]) && !greetWords[strings.ToLower(strings.Trim(words[i-1], ",.!"))] {
			return true
		}
	}
	return false
}

// capitalised reports whether a raw word starts with a capital letter.
func capitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// innerCapital reports whether w is letters with a capital after a
// lower-case letter: a brand ("HomeNest"), not a name or an acronym.
func innerCapital(w string) bool {
	lower := false
	for _, r := range w {
		switch {
		case !unicode.IsLetter(r):
			return false
		case unicode.IsUpper(r) && lower:
			return true
		}
		lower = unicode.IsLower(r)
	}
	return false
}

// selfWords come before the manager's own name: «Это Ольга», «я Олег»,
// "I'm Brian".
var selfWords = map[string]bool{"это": true, "я": true, "i'm": true}

// staffTitles name the manager's job before their name: «менеджер Алина».
var staffTitles = map[string]bool{
	"менеджер": true, "оператор": true, "консультант": true, "специалист": true, "администратор": true,
}

// greetWords are the words of greetings and openers, which neither name
// a company nor the manager.
var greetWords = map[string]bool{
	"здравствуйте": true, "добрый": true, "доброе": true, "день": true, "утро": true, "вечер": true, "алло": true,
	"привет": true, "hi": true, "hello": true, "hey": true, "good": true, "morning": true, "afternoon": true, "evening": true,
}

// companyWords name a kind of company after a manager's name ("Ольга,
// агентство «Дом»").
var companyWords = map[string]bool{
	"компания": true, "агентство": true, "банк": true, "автоцентр": true, "автосалон": true, "завод": true,
	"сервис": true, "салон": true, "клиника": true, "магазин": true, "студия": true, "школа": true,
}

// personName reports whether a raw word looks like a first name: a
// capitalised word of letters, at least three, not followed by "?".
func personName(w string) bool {
	if strings.ContainsRune(w, '?') {
		return false
	}
	w = strings.TrimRight(w, ",.!")
	n := 0
	for i, r := range w {
		if !unicode.IsLetter(r) || (i == 0 && !unicode.IsUpper(r)) || (i > 0 && unicode.IsUpper(r)) {
			return false
		}
		n++
	}
	return n >= 3
}

// hitsOf returns the hits of a built-in signal or of the scorecard's own
// phrases.
func (a *analysis) hitsOf(s signal) []hit {
	if s < numSignals {
		return a.hits[s]
	}
	return a.custom[s-numSignals]
}

// customSentences counts the distinct sentences with a hit of a custom
// signal.
func (a *analysis) customSentences(s signal) int {
	n, last := 0, int32(-1)
	for _, h := range a.hitsOf(s) {
		if sent := a.d.toks[h.first].sent; sent != last {
			n, last = n+1, sent
		}
	}
	return n
}

// scanCustom finds the scorecard's own phrases, dropping negated hits as
// derive does for the built-in ones.
func (a *analysis) scanCustom(c *card) {
	if c.custom == nil {
		a.custom = a.custom[:0]
		return
	}
	if cap(a.custom) < c.nCustom {
		a.custom = make([][]hit, c.nCustom)
	}
	a.custom = a.custom[:c.nCustom]
	c.custom.scan(a.d, a.custom, numSignals)
	for i := range a.custom {
		a.custom[i] = a.dropNegated(a.custom[i])
	}
}
