package auditfx

import (
	"context"
	"log/slog"

	"go.uber.org/fx"

	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/storage"
)

// ScorecardsConfig configures the Scorecards module.
type ScorecardsConfig struct {
	// Files are the scorecards of AUDIT_SCORECARD; the first is the
	// default. None: the built-in one.
	Files []*scorecard.Scorecard
	// Checklist: the scorer is the offline checklist, which scores each
	// scorecard with its rules (a scorer per scorecard version, made by
	// ChecklistFor); a model scorer reads the rubric itself.
	Checklist bool
}

// ChecklistFor returns the checklist scorer of a scorecard, or why it
// cannot score it offline.
func ChecklistFor(sc *scorecard.Scorecard) (score.Scorer, error) {
	if err := checklist.Check(sc); err != nil {
		return nil, err
	}
	return checklist.New(checklist.WithScorecard(sc)), nil
}

type scorecardsParams struct {
	fx.In
	Logger *slog.Logger
	Store  storage.Store `optional:"true"`
}

// Scorecards provides the *audit.Scorecards book over the store's saved
// scorecards and teams (when it keeps them) and the files; the Auditor
// module then scores each call with its team's scorecard, and the Handler
// module serves the scorecard editor's routes. With the checklist the
// auditor scores each scorecard with its rules (Scorecards.Scorer).
func Scorecards(cfg ScorecardsConfig) fx.Option {
	return fx.Module("scorecards", fx.Provide(func(p scorecardsParams) (*audit.Scorecards, error) {
		bc := audit.ScorecardsConfig{Files: cfg.Files, Logger: p.Logger}
		if cfg.Checklist {
			bc.Check, bc.Scorer = checklist.Check, ChecklistFor
		}
		if s, ok := p.Store.(storage.Scorecards); ok {
			bc.Store = s
		}
		if a, ok := p.Store.(storage.Accounts); ok {
			bc.Teams = a.Teams
		}
		ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
		defer cancel()
		return audit.NewScorecards(ctx, bc)
	}))
}
