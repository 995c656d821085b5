// Package checklist is the built-in offline scorer: a deterministic
// rule and phrase checklist of the sales stages in Russian and English. It
// needs no API key and no network, so a fresh server does real work, and
// it is fast enough to score every call (under 200 µs of one core for a
// ten-minute call of about 1,500 words; see BenchmarkScore).
//
// The checklist finds phrases over normalised words (lower case, ё→е,
// punctuation stripped); Russian phrases are written as stems, so
// "удобн*" matches удобно, удобное and удобнее. From what it finds it
// scores the stages of a sales call (greeting, rapport, needs discovery,
// summarising the need, presentation, objection handling, next step,
// farewell) and the manager's conduct (rudeness, pressure, requests for
// card data, monologues, interrupting). Client+ and Диалог modes score the
// client's reactions and the conversation as a whole instead.
//
// Every criterion comes with a comment and evidence quotes cut verbatim
// from the transcript, and the report's summary and recommendations are
// written from what was found and missed, in Russian or English.
package checklist

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/transcribe"
)

// Name and Version identify the scorer in Report.Meta. The minor version
// changes when the rules do, so that stored reports say which rules
// scored them: 1.1 accepts proposed times agreed in the next turn,
// summaries with a confirmation tag and more farewell forms; 1.2 reads the
// client's answers (refusals, negation, not being heard), callback and
// inbound calls, plain-words introductions and farewells, condescension;
// 1.3 scores Диалог on its own criteria (understanding, resolution, tone)
// and Client+ on the client's reactions only; 1.4 gives a next step its
// points only when the client takes it up (an «если хотите» offer earns
// little), wants understanding shown in Диалог (a restatement or open
// questions), reads roles from whose things are spoken of, and the
// general patterns of the first blind held-out set (restatements,
// refusals, short calls, choosing); its recommendations ask only for
// what a criterion lacked and its evidence quotes the sentence that
// decided.
const (
	Name    = "checklist"
	Version = "1.4.0"
)

// Defaults of the options.
const (
	// DefaultMonologueWords is the longest run of words by the manager
	// before it counts as a monologue: about a minute of speech.
	DefaultMonologueWords = 120
	// DefaultDumpWords is how long a manager's turn before any open
	// question must be to count as a product dump.
	DefaultDumpWords = 30
)

// criticalCap is the most any criterion may score in a call where the
// manager asked for card data: such a call fails whatever else went well.
const criticalCap = 10

type options struct {
	card           *card
	cardErr        error
	rubrics        map[score.Mode]score.Rubric
	rubricErrs     map[score.Mode]error
	monologueWords int
	dumpWords      int
}

// Option configures a Scorer.
type Option func(*options)

// WithRubric replaces the default rubric of mode, e.g. to reweigh the
// criteria for a team's script. Its criteria must be ones the checklist
// knows (KnownCriteria); Score reports a KindInvalid error otherwise.
func WithRubric(mode score.Mode, r score.Rubric) Option {
	return func(o *options) { o.rubrics[mode] = r.Clone() }
}

// WithScorecard scores with the scorecard's criteria and rules instead of
// the default scorecard's (scorecard.Default): the rubric of each mode is
// sc.Rubric(mode), and reports record sc's id and version in
// Meta.Scorecard and Meta.ScorecardVersion. Every criterion needs rules;
// a scorecard the checklist cannot score makes every Score call fail with
// the reason (Check tells beforehand).
func WithScorecard(sc *scorecard.Scorecard) Option {
	return func(o *options) {
		c, err := compileCard(sc)
		if err != nil {
			o.card, o.cardErr = nil, err
			return
		}
		o.card, o.cardErr = c, nil
	}
}

// Check reports whether the checklist can score sc: the scorecard is
// valid and every criterion has rules whose phrases compile. The error is
// KindInvalid with one field error per problem.
func Check(sc *scorecard.Scorecard) error {
	_, err := compileCard(sc)
	return err
}

// WithMonologueWords changes DefaultMonologueWords.
func WithMonologueWords(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.monologueWords = n
		}
	}
}

// Scorer is the offline checklist scorer. It is safe for concurrent use.
type Scorer struct {
	m    *matcher
	opts options
}

var _ score.RubricScorer = (*Scorer)(nil)

// compiled holds the phrase tables compiled once per process: they are the
// same for every Scorer.
var compiled = func() *matcher {
	m, err := newMatcher(signalDefs)
	if err != nil {
		// The tables are constants of this package; its tests compile them.
		panic("checklist: " + err.Error())
	}
	return m
}()

// Name returns "checklist", the name reports carry in Meta.Scorer.
func (s *Scorer) Name() string { return Name }

// New returns a checklist scorer.
func New(opts ...Option) *Scorer {
	s := &Scorer{m: compiled, opts: options{
		card:           defaultCard,
		rubrics:        make(map[score.Mode]score.Rubric, len(score.Modes)),
		monologueWords: DefaultMonologueWords,
		dumpWords:      DefaultDumpWords,
	}}
	for _, o := range opts {
		o(&s.opts)
	}
	// Check the configured rubrics once; a bad one makes every Score call
	// of its mode fail with the reason, since New returns no error.
	if s.opts.card == nil {
		// A scorecard that does not compile: its rubrics cannot be
		// checked either.
		s.opts.card = defaultCard
		s.opts.rubrics = map[score.Mode]score.Rubric{}
		return s
	}
	for mode, r := range s.opts.rubrics {
		checked, err := s.opts.card.checkRubric(r)
		if err != nil {
			if s.opts.rubricErrs == nil {
				s.opts.rubricErrs = make(map[score.Mode]error)
			}
			s.opts.rubricErrs[mode] = err
			continue
		}
		s.opts.rubrics[mode] = checked
	}
	return s
}

// DefaultRubric returns the rubric used for mode when the request has none:
// the one set with WithRubric, else the scorecard's (WithScorecard, or the
// default scorecard's, whose criteria and weights are
// score.DefaultRubric's) named by its id and version. An unknown mode gets
// the Manager+ rubric.
func (s *Scorer) DefaultRubric(mode score.Mode) score.Rubric {
	if r, ok := s.opts.rubrics[mode]; ok {
		return r.Clone()
	}
	if r, ok := s.opts.card.rubrics[mode]; ok {
		return r.Clone()
	}
	return s.opts.card.rubrics[score.ModeManager].Clone()
}

// Score scores a transcript. Errors: KindInvalid for an unknown mode, a
// transcript with no words or a rubric with criteria the checklist does
// not know; KindCanceled/KindTimeout when ctx is done.
func (s *Scorer) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	return s.score(ctx, req, nil)
}

// score scores a transcript; inspect, when not nil, sees the analysis
// before it goes back to the pool (the tests' view of where each
// recommendation came from).
func (s *Scorer) score(ctx context.Context, req score.Request, inspect func(a *analysis, rep *score.Report)) (*score.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindOf(err), "checklist.Score", callaudit.MessageOf(err))
	}
	mode := req.Mode
	if !mode.Valid() {
		var err error
		if mode, err = score.ParseMode(string(req.Mode)); err != nil {
			return nil, err
		}
	}
	rub, err := s.rubric(req, mode)
	if err != nil {
		return nil, err
	}
	lang := score.ReportLanguage(req)
	if lang != "en" {
		// The checklist writes Russian and English; other languages get
		// the default.
		lang = score.DefaultLanguage
	}

	d := docPool.Get().(*doc)
	defer func() {
		// Do not keep the caller's transcript alive in the pool, nor a
		// string over the buffer the next call overwrites.
		d.tr, d.norm = nil, ""
		docPool.Put(d)
	}()
	d.parse(&req.Transcript)
	if len(d.toks) == 0 {
		// Checked on the tokens rather than with Transcript.Words: it
		// saves a pass, and "…" alone has nothing to score either.
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "transcript", Message: "has no words to analyse"})
	}
	a := analysisPool.Get().(*analysis)
	defer func() {
		a.d, a.opts = nil, nil
		analysisPool.Put(a)
	}()
	a.reset(d, lang, &s.opts)
	a.m = transcribe.ComputeMetrics(req.Transcript)
	s.m.scan(d, a.hits[:], 0)
	a.derive()
	a.scanCustom(s.opts.card)

	rep := &score.Report{
		Details: make([]score.CriterionResult, 0, len(rub.Criteria)),
		Metrics: a.m,
		Meta: score.Meta{Mode: mode, Language: lang, Scorer: Name, ScorerVersion: Version,
			Scorecard: rub.Name, ScorecardVersion: rub.Version},
	}
	for _, c := range rub.Criteria {
		res := s.opts.card.defs[c.ID].eval(a)
		w := c.Weight
		if res.na {
			w = 0
		}
		if a.critical && !res.na && c.ID != Conduct && res.score > criticalCap {
			res.score = criticalCap
			res.comment += a.tr("; оценка ограничена из-за запроса данных карты", "; capped because card data was requested")
		}
		res.comment = capitalize(res.comment)
		if res.evidence == nil {
			res.evidence = []score.Evidence{}
		}
		a.results[c.ID] = res
		rep.Details = append(rep.Details, score.CriterionResult{
			ID: c.ID, Title: c.TitleIn(lang), Score: res.score, Weight: w, Comment: res.comment, Evidence: res.evidence,
		})
	}
	rep.Recompute()
	rep.Summary = summarize(a, rep)
	rep.RecommendationList = recommend(a, rep)
	rep.Recommendations = strings.Join(rep.RecommendationList, "\n")
	if inspect != nil {
		inspect(a, rep)
	}
	return rep, nil
}

// rubric returns the rubric to score with: the request's, checked against
// the criteria the checklist knows, else the scorer's default for mode.
func (s *Scorer) rubric(req score.Request, mode score.Mode) (score.Rubric, error) {
	if s.opts.cardErr != nil {
		return score.Rubric{}, s.opts.cardErr
	}
	if req.Rubric == nil {
		if err := s.opts.rubricErrs[mode]; err != nil {
			return score.Rubric{}, err
		}
		// Read-only here, so no copy.
		if r, ok := s.opts.rubrics[mode]; ok {
			return r, nil
		}
		return s.opts.card.rubrics[mode], nil
	}
	return s.opts.card.checkRubric(*req.Rubric)
}

// checkRubric validates a caller's rubric against the criteria the
// card knows and fills in the titles it leaves out. The result is a
// copy the caller cannot change.
func (k *card) checkRubric(r score.Rubric) (score.Rubric, error) {
	if err := r.Validate(); err != nil {
		return score.Rubric{}, err
	}
	var unknown []string
	rub := score.Rubric{Name: r.Name, Version: r.Version, Criteria: make([]score.Criterion, len(r.Criteria))}
	for i, c := range r.Criteria {
		if _, ok := k.defs[c.ID]; !ok {
			unknown = append(unknown, c.ID)
			continue
		}
		// Titles the caller left out come from score's default criteria.
		if len(c.Title) == 0 {
			c.Title = maps.Clone(k.titles[c.ID])
		}
		rub.Criteria[i] = c
	}
	if len(unknown) > 0 {
		return score.Rubric{}, callaudit.Invalid(callaudit.FieldError{
			Field: "rubric.criteria",
			Message: fmt.Sprintf("the checklist scorer does not know the criteria %s; known criteria: %s",
				strings.Join(unknown, ", "), k.known()),
		})
	}
	return rub, nil
}
