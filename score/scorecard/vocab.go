package scorecard

import (
	"regexp"
	"strconv"
)

// The vocabulary of the offline rules: the names a rule may use. They are
// the checklist's (its tests check that it knows each of them and no
// other), listed here so that a file is checked where it is read.

// Signal is a built-in phrase table of the checklist: what it finds, and
// who must say it ("manager", "client" or "any").
type Signal struct {
	Name string
	Who  string
}

// Signals are the checklist's built-in phrase tables.
var Signals = []Signal{
	{"greet", "manager"}, {"intro_name", "manager"}, {"intro_company", "manager"}, {"permission", "manager"},
	{"courtesy", "manager"}, {"reason", "manager"}, {"open_word", "manager"}, {"tell_me", "manager"},
	{"pain", "manager"}, {"summary", "manager"}, {"confirm", "client"}, {"benefit", "manager"},
	{"objection", "client"}, {"empathy", "manager"}, {"value", "manager"}, {"dismiss", "manager"},
	{"action", "manager"}, {"time", "any"}, {"agree", "client"}, {"agree_manager", "manager"},
	{"propose", "any"}, {"vague", "manager"}, {"farewell", "manager"}, {"thanks", "manager"},
	{"client_bye", "client"}, {"rude", "manager"}, {"pressure", "manager"}, {"card_data", "manager"},
	{"interest", "client"}, {"buy", "client"}, {"reject", "client"}, {"refuse", "client"},
	{"unheard", "client"}, {"brush_off", "manager"}, {"claim_agree", "manager"}, {"busy", "client"},
	{"inbound", "manager"}, {"need", "client"}, {"confused", "client"}, {"hostile", "client"},
	{"satisfied", "client"}, {"resolved", "manager"}, {"deflect", "manager"}, {"anything_else", "manager"},
	{"calling", "client"}, {"conditional", "manager"},
	{"commit", "client"}, {"understood", "client"}, {"terms", "client"},
}

// Measures are what a Forbid or Tally rule may count. "sentences",
// "hits", "none", "found", "segments" and "asked" count the rule's signal or
// phrases; the others are facts of the call the analysis computes and take
// no phrases. The Shares are fractions 0..1 (written as a percentage), for
// Tally rules with bands; the others are counts.
var Measures = map[string]string{
	"sentences":         "the sentences where the signal or a phrase was found",
	"hits":              "the matches of the signal or the phrases",
	"none":              "1 when the signal or phrases were not found at all",
	"ignored_refusals":  "the manager's turns that pressed on after the client refused or could not talk",
	"pressed_on":        "the ignored refusals and the manager's replies to a refusal that sell again (a pitch, a step or a proposal) without taking the no",
	"contradicted":      "the manager's restatements the client contradicted",
	"monologue":         "1 when the manager (or an unlabelled speaker) talked longer than the monologue limit",
	"any_monologue":     "1 when anyone talked longer than the monologue limit",
	"manager_share":     "1 when the manager had over 80 % of at least 80 words (the comment gives the manager's share)",
	"client_share":      "the same fact, the comment giving the client's share",
	"interruptions":     "the manager's interruptions (timed transcripts)",
	"all_interruptions": "the interruptions by either side (timed transcripts)",
	"few_turns":         "1 when the call has fewer than four turns",
	"no_questions":      "1 when neither side asked anything",
	"closed_only":       "1 when the manager asked only closed questions and the client none",
	"found":             "1 when the signal or phrases were found (with late: their last hit is in the last third of the call)",
	"segments":          "the turns where the signal or one of the signals was found",
	"once":              "1: the rule counts once when its if conditions hold",
	"client_questions":  "the client's questions",
	"open_questions":    "the manager's open questions",
	"closed_questions":  "the manager's closed questions",
	"refusals":          "the client's turns that refuse or say they cannot talk",
	"objections":        "the client's objections",
	"manager_talk":      "the manager's share of the words (0 when the roles are unknown)",
	"client_talk":       "the client's share of the words (0 when the roles are unknown)",
	"asked":             "the manager's open questions where the signal or a phrase was found",
	"objection_replies": "the mean score of the replies to the client's objections, rounded; each reply is scored by the rule's each rows",
}

// ItemConditions are what the each rows of measure "objection_replies"
// may test of one objection's reply ("!" negates).
var ItemConditions = map[string]string{
	"reply":          "the manager answered the objection (in their next turns before the client's next objection)",
	"reply_empathy":  "the reply acknowledged the client's feeling",
	"reply_question": "the reply asked a clarifying question",
	"reply_value":    "the reply gave a value argument or a benefit",
	"reply_bad":      "the reply argued, pressed or was rude",
}

// Shares are the measures that are fractions, not counts.
var Shares = map[string]bool{"manager_talk": true, "client_talk": true}

// measureTakesPhrases reports whether the measure counts a rule's
// signal or phrases.
func measureTakesPhrases(m string) bool {
	return m == "" || m == "sentences" || m == "hits" || m == "none" || m == "found" || m == "segments" || m == "asked"
}

// Conditions are the facts a skip, case, cap, praise_more or a rule's if
// may test, besides every signal name (true when the signal was found)
// and comparisons of a measure that takes no phrases with a number
// ("client_questions>=2", "manager_talk>0.65"; operators <, <=, ==, >=,
// >). "!" before a name negates it; "a|b" holds when either does.
var Conditions = map[string]string{
	"inbound_call":             "the client called",
	"callback":                 "the client could not talk and a callback was agreed",
	"card_data_requested":      "the manager asked for card details or codes",
	"not_heard":                "the client said they were not heard, or was sent elsewhere",
	"no_objections":            "the client raised no objection",
	"ignored_refusals":         "the manager pressed on after a refusal",
	"client_asked":             "the client asked a question",
	"next_step_offered":        "the manager proposed a concrete action",
	"next_step_timed":          "the next step has a date or time",
	"next_step_agreed":         "the client agreed to the next step",
	"next_step_refused":        "the client refused the proposed step",
	"next_step_conditional":    "the step was only offered on a condition («если хотите», \"if you like\") and the client did not take it up",
	"rejected_at_end":          "the client declined or put the decision off in the last third of the call and did not agree afterwards",
	"objections_resolved":      "the client agreed to buy after their last objection",
	"agreed_after_objections":  "the client agreed to a next step after their last objection",
	"roles_unknown":            "the speakers' roles are unknown: no words by either side",
	"need_unmet":               "the client said what they needed and the manager never took it up",
	"offer_linked":             "the manager's offer referred to what the client said (shared word stems, not in a restatement)",
	"offer_after_discovery":    "the linked offer came after the manager's first open question",
	"offer_long":               "the manager spoke a long turn (eight words or more) after the first",
	"offer_benefit":            "the manager named a benefit for the client",
	"feature_dump":             "the manager listed features in a long turn before any open question",
	"offer_rejected":           "the client's answer to the offer refused it or said they were not heard",
	"need_restated":            "the manager restated the need (a summary after the first turn)",
	"restatement_confirmed":    "the client confirmed a restatement within the next two turns",
	"restatement_contradicted": "the client's answer contradicted the last restatement (none confirmed)",
}

// QuoteFacts are the turns a Quotes may name besides signal hits.
var QuoteFacts = map[string]string{
	"next_step_agreement": "the client's turn agreeing to the next step",
	"next_step":           "the words of the next step",
	"linked_offer":        "the manager's turn that referred to what the client said",
	"benefit_offer":       "the manager's turn that named a benefit",
	"feature_dump":        "the manager's feature dump before any discovery",
	"offer_reply":         "the client's answer rejecting the offer",
	"need":                "the client's turn saying what they needed",
	"restatement":         "the manager's restatement of the need: the confirmed one, else the last",
	"restatement_reply":   "the client's turn confirming or contradicting the restatement",
}

// Evaluators are the names a criterion's rules could give as
// "evaluator" when the checklist scored these criteria in code. They are
// rules now: an evaluator stands for the default scorecard's rules of
// the criterion with that id (with the file's own skip, when it has one),
// so that older files keep scoring as before.
var Evaluators = map[string]string{
	"needs_discovery":    "the default scorecard's rules of needs_discovery",
	"need_summary":       "the default scorecard's rules of need_summary",
	"presentation":       "the default scorecard's rules of presentation",
	"objection_handling": "the default scorecard's rules of objection_handling",
	"next_step":          "the default scorecard's rules of next_step",
	"client_interest":    "the default scorecard's rules of client_interest",
	"engagement":         "the default scorecard's rules of engagement",
	"balance":            "the default scorecard's rules of balance",
	"resolution":         "the default scorecard's rules of resolution",
}

// Comparison splits a condition that compares a measure with a number
// ("client_questions>=2") into its parts; ok is false for any other
// condition.
func Comparison(c string) (measure, op string, n float64, ok bool) {
	m := comparison.FindStringSubmatch(c)
	if m == nil {
		return "", "", 0, false
	}
	n, err := strconv.ParseFloat(m[3], 64)
	if err != nil {
		return "", "", 0, false
	}
	return m[1], m[2], n, true
}

var comparison = regexp.MustCompile(`^([a-z_]+)\s*(<=|>=|==|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)$`)

// Cues refine a Require rule.
var Cues = map[string]string{
	"asked":         "a question (the signal, in the first turns) the manager left room to answer",
	"intro_name":    "the manager's name: the signal, or an introduction in plain words",
	"intro_company": "the company: the signal, or a «quoted» name, a brand (\"HomeNest\") or capitalised words before \"this is\" in the manager's first turns",
}

// PhraseChecker checks one phrase of a rule; the checklist registers its
// compiler (RegisterPhraseChecker), so that a phrase it cannot match is
// refused where the file is read.
type PhraseChecker func(phrase string) error

var phraseChecker PhraseChecker

// RegisterPhraseChecker sets the phrase checker Validate uses. The
// checklist registers its own when it is imported; without one, phrases
// are checked for letters only.
func RegisterPhraseChecker(f PhraseChecker) { phraseChecker = f }
