package checklist

import (
	"slices"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scorecard"
)

// text is a message in the two report languages.
type text struct{ ru, en string }

func (t text) in(lang string) string {
	if lang == "en" {
		return t.en
	}
	return t.ru
}

// The criterion ids, the same as score's (score.CriterionGreeting, …),
// named here for the checklist's tests and users.
const (
	Greeting          = score.CriterionGreeting
	Rapport           = score.CriterionRapport
	NeedsDiscovery    = score.CriterionNeedsDiscovery
	NeedSummary       = score.CriterionNeedSummary
	Presentation      = score.CriterionPresentation
	ObjectionHandling = score.CriterionObjectionHandling
	NextStep          = score.CriterionNextStep
	Farewell          = score.CriterionFarewell
	Conduct           = score.CriterionConduct
	ClientInterest    = score.CriterionClientInterest
	Objections        = score.CriterionObjections
	Commitment        = score.CriterionCommitment
	Engagement        = score.CriterionEngagement
	Balance           = score.CriterionBalance
	Flow              = score.CriterionFlow
	Outcome           = score.CriterionOutcome
	Understanding     = score.CriterionUnderstanding
	Resolution        = score.CriterionResolution
	Tone              = score.CriterionTone
)

// defaultCard is the default scorecard compiled, the checklist's own
// criteria. The phrase checker is registered first, so that the default
// file's phrases are checked by the compiler that will match them.
var defaultCard = func() *card {
	registerPhraseChecker()
	c, err := compileCard(scorecard.Default())
	if err != nil {
		// The file is embedded in package scorecard; these tests compile it.
		panic("checklist: the default scorecard: " + err.Error())
	}
	return c
}()

func init() { registerPhraseChecker() }

// registerPhraseChecker makes scorecard.Parse refuse phrases this
// package's compiler cannot match.
func registerPhraseChecker() {
	scorecard.RegisterPhraseChecker(func(p string) error {
		_, err := compilePhrase(0, p)
		return err
	})
}

// KnownCriteria returns the ids of every criterion the checklist can score
// by default (those of the default scorecard), across all modes, for
// building custom rubrics.
func KnownCriteria() []string { return slices.Clone(defaultCard.ids) }
