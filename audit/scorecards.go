package audit

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/storage"
)

// ScorecardsConfig configures a Scorecards book.
type ScorecardsConfig struct {
	// Files are the scorecards read at start-up (AUDIT_SCORECARD); the
	// first is the default, which scores every call of a team without a
	// scorecard of its own. None: scorecard.Default().
	Files []*scorecard.Scorecard
	// Store keeps saved versions; nil serves the files only (and refuses
	// saves). Files are saved into it at start-up (NewScorecards) when
	// their version is new, so that every version a report names stays
	// readable.
	Store storage.Scorecards
	// Teams lists the teams (storage.Accounts.Teams); nil: every call gets
	// the default.
	Teams func(ctx context.Context) ([]storage.Team, error)
	// Check refuses a scorecard the configured scorer cannot score (e.g.
	// checklist.Check: criteria without offline rules); nil accepts what
	// Validate accepts.
	Check func(*scorecard.Scorecard) error
	// Scorer makes the scorer of a scorecard, for a scorer that needs one
	// per scorecard (the checklist, which scores a scorecard's offline
	// rules: auditfx.ChecklistFor); nil: the scorer reads each request's
	// rubric itself (a model scorer). See Scorecards.Scorer.
	Scorer func(*scorecard.Scorecard) (score.Scorer, error)
	// CacheFor is how long the team and scorecard lists are reused
	// between analyses; 0 is 5 seconds. Saves through the book refresh
	// them at once; other processes' saves show within it.
	CacheFor time.Duration
	Logger   *slog.Logger
}

// Scorecards is the server's book of scorecards: which one scores a call
// (the scorecard of the manager's team, else the default), every saved
// version by id, and saving a new version. It is safe for concurrent use.
type Scorecards struct {
	cfg   ScorecardsConfig
	defID string
	files map[cardKey]*scorecard.Scorecard

	mu      sync.Mutex
	cached  time.Time
	teams   []storage.Team
	latest  []storage.SavedScorecard
	parsed  map[cardKey]*scorecard.Scorecard
	nowFunc func() time.Time
}

type cardKey struct {
	id      string
	version int
}

// ScorecardInfo is one scorecard in Scorecards.List: its latest version.
type ScorecardInfo struct {
	ID      string
	Version int
	Team    string
	Title   scorecard.Text
	// Default: it is the default scorecard. Saved: the version is in the
	// store (else it is a file's, or the built-in one).
	Default, Saved bool
	SavedBy        string
	SavedAt        time.Time
}

// NewScorecards returns the book. It saves into the store each file whose
// version the store lacks (logging the files whose version the store
// holds with other rules: the stored one wins, as reports name it).
func NewScorecards(ctx context.Context, cfg ScorecardsConfig) (*Scorecards, error) {
	if cfg.CacheFor == 0 {
		cfg.CacheFor = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	files := cfg.Files
	if len(files) == 0 {
		files = []*scorecard.Scorecard{scorecard.Default()}
	}
	b := &Scorecards{cfg: cfg, defID: files[0].ID, files: map[cardKey]*scorecard.Scorecard{}, parsed: map[cardKey]*scorecard.Scorecard{}, nowFunc: time.Now}
	for _, sc := range files {
		if cfg.Check != nil {
			if err := cfg.Check(sc); err != nil {
				return nil, err
			}
		}
		b.files[cardKey{sc.ID, sc.Version}] = sc
		if cfg.Store != nil {
			if err := b.seed(ctx, sc); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

// seed saves a file's scorecard into the store unless its version is there.
func (b *Scorecards) seed(ctx context.Context, sc *scorecard.Scorecard) error {
	body, err := sc.MarshalYAMLFile()
	if err != nil {
		return callaudit.Wrap(err, callaudit.KindInternal, "audit.Scorecards", "cannot encode scorecard "+strconv.Quote(sc.ID))
	}
	stored, err := b.cfg.Store.Scorecard(ctx, sc.ID, sc.Version)
	switch {
	case err == nil:
		if stored.Body != string(body) {
			b.cfg.Logger.Warn("scorecard: the file differs from the saved version of the same number; the saved one is used (give the file a new version)",
				"scorecard", sc.ID, "version", sc.Version, "file", sc.Name())
		}
		return nil
	case callaudit.KindOf(err) != callaudit.KindNotFound:
		return err
	}
	_, err = b.cfg.Store.SaveScorecard(ctx, storage.SavedScorecard{ID: sc.ID, Version: sc.Version, Body: string(body), SavedBy: "file:" + sc.Name()})
	if callaudit.KindOf(err) == callaudit.KindConflict {
		b.cfg.Logger.Warn("scorecard: a newer version is saved; the file's is not", "scorecard", sc.ID, "version", sc.Version, "file", sc.Name())
		return nil
	}
	return err
}

// DefaultID is the id of the default scorecard.
func (b *Scorecards) DefaultID() string { return b.defID }

// Get returns version of the scorecard id (0: the latest), from the store,
// the files or the built-in default; KindNotFound when none has it.
func (b *Scorecards) Get(ctx context.Context, id string, version int) (*scorecard.Scorecard, error) {
	if b.cfg.Store != nil {
		saved, err := b.cfg.Store.Scorecard(ctx, id, version)
		if err == nil {
			return b.parse(saved)
		}
		if callaudit.KindOf(err) != callaudit.KindNotFound {
			return nil, err
		}
	}
	var best *scorecard.Scorecard
	for k, sc := range b.files {
		if k.id == id && (k.version == version || (version == 0 && (best == nil || k.version > best.Version))) {
			best = sc
		}
	}
	if d := scorecard.Default(); best == nil && id == d.ID && (version == 0 || version == d.Version) {
		best = d
	}
	if best == nil {
		return nil, storage.ScorecardNotFound(id, version)
	}
	return best.Clone(), nil
}

// parse reads a saved version, once: saved versions never change.
func (b *Scorecards) parse(saved storage.SavedScorecard) (*scorecard.Scorecard, error) {
	k := cardKey{saved.ID, saved.Version}
	b.mu.Lock()
	sc, ok := b.parsed[k]
	b.mu.Unlock()
	if !ok {
		var err error
		if sc, err = scorecard.Parse(saved.ID+".yaml", []byte(saved.Body)); err != nil {
			return nil, callaudit.Wrap(err, callaudit.KindInternal, "audit.Scorecards", fmt.Sprintf("saved scorecard %q version %d cannot be read", saved.ID, saved.Version))
		}
		b.mu.Lock()
		b.parsed[k] = sc
		b.mu.Unlock()
	}
	return sc.Clone(), nil
}

// lists returns the teams and the latest saved scorecards, cached.
func (b *Scorecards) lists(ctx context.Context) ([]storage.Team, []storage.SavedScorecard, error) {
	b.mu.Lock()
	if !b.cached.IsZero() && b.nowFunc().Sub(b.cached) < b.cfg.CacheFor {
		t, l := b.teams, b.latest
		b.mu.Unlock()
		return t, l, nil
	}
	b.mu.Unlock()
	var (
		teams  []storage.Team
		latest []storage.SavedScorecard
		err    error
	)
	if b.cfg.Teams != nil {
		if teams, err = b.cfg.Teams(ctx); err != nil {
			return nil, nil, err
		}
	}
	if b.cfg.Store != nil {
		if latest, err = b.cfg.Store.Scorecards(ctx); err != nil {
			return nil, nil, err
		}
	}
	b.mu.Lock()
	b.teams, b.latest, b.cached = teams, latest, b.nowFunc()
	b.mu.Unlock()
	return teams, latest, nil
}

// forget drops the cached lists, after a save.
func (b *Scorecards) forget() {
	b.mu.Lock()
	b.cached = time.Time{}
	b.mu.Unlock()
}

// ForManager returns the scorecard that scores the manager's calls: the
// latest version of the saved scorecard of the manager's team (the first
// team by name when the manager is in several, the first scorecard by id
// when a team has several), else the latest version of the default.
func (b *Scorecards) ForManager(ctx context.Context, managerID string) (*scorecard.Scorecard, error) {
	teams, latest, err := b.lists(ctx)
	if err != nil {
		return nil, err
	}
	if managerID != "" {
		var mine []string
		for _, t := range teams {
			if slices.Contains(t.ManagerIDs, managerID) {
				mine = append(mine, t.Name)
			}
		}
		slices.Sort(mine)
		for _, team := range mine {
			for _, s := range latest {
				if s.Team == team {
					return b.parse(s)
				}
			}
		}
	}
	return b.Get(ctx, b.defID, 0)
}

// Rubric is an audit.RubricFunc: the rubric of the mode from the
// scorecard of the input's manager (ForManager).
func (b *Scorecards) Rubric(ctx context.Context, in Input, mode score.Mode) (*score.Rubric, error) {
	sc, err := b.ForManager(ctx, in.ManagerID)
	if err != nil {
		return nil, err
	}
	r := sc.Rubric(mode)
	return &r, nil
}

// List returns the latest version of every scorecard: saved ones, files
// and the default, by id.
func (b *Scorecards) List(ctx context.Context) ([]ScorecardInfo, error) {
	byID := map[string]ScorecardInfo{}
	add := func(sc *scorecard.Scorecard) {
		if cur, ok := byID[sc.ID]; !ok || sc.Version > cur.Version {
			byID[sc.ID] = ScorecardInfo{ID: sc.ID, Version: sc.Version, Title: sc.Title}
		}
	}
	for _, sc := range b.files {
		add(sc)
	}
	if b.cfg.Store != nil {
		saved, err := b.cfg.Store.Scorecards(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range saved {
			sc, err := b.parse(s)
			if err != nil {
				return nil, err
			}
			if cur, ok := byID[s.ID]; !ok || s.Version >= cur.Version {
				byID[s.ID] = ScorecardInfo{ID: s.ID, Version: s.Version, Team: s.Team, Title: sc.Title, Saved: true, SavedBy: s.SavedBy, SavedAt: s.SavedAt}
			}
		}
	}
	out := make([]ScorecardInfo, 0, len(byID))
	for _, v := range byID {
		v.Default = v.ID == b.defID
		out = append(out, v)
	}
	slices.SortFunc(out, func(x, y ScorecardInfo) int {
		switch {
		case x.Default != y.Default:
			if x.Default {
				return -1
			}
			return 1
		case x.ID < y.ID:
			return -1
		case x.ID > y.ID:
			return 1
		}
		return 0
	})
	return out, nil
}

// Versions lists the saved versions of a scorecard, oldest first; a
// scorecard that is only a file (or the built-in default) lists that one.
func (b *Scorecards) Versions(ctx context.Context, id string) ([]storage.SavedScorecard, error) {
	if b.cfg.Store != nil {
		vs, err := b.cfg.Store.ScorecardVersions(ctx, id)
		if err == nil || callaudit.KindOf(err) != callaudit.KindNotFound {
			return vs, err
		}
	}
	sc, err := b.Get(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	body, err := sc.MarshalYAMLFile()
	if err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindInternal, "audit.Scorecards", "cannot encode the scorecard")
	}
	return []storage.SavedScorecard{{ID: sc.ID, Version: sc.Version, Body: string(body), SavedBy: "file:" + sc.Name()}}, nil
}

// Draft parses and checks a scorecard as the editor sends it: name (for
// messages, and ".json" for JSON) and data. Errors are KindInvalid field
// errors with the line and field path.
func (b *Scorecards) Draft(name string, data []byte) (*scorecard.Scorecard, error) {
	sc, err := scorecard.Parse(name, data)
	if err != nil {
		return nil, err
	}
	if b.cfg.Check != nil {
		if err := b.cfg.Check(sc); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

// TeamOf returns the team the latest saved version of id is for ("" when
// none, or not saved).
func (b *Scorecards) TeamOf(ctx context.Context, id string) (string, error) {
	if b.cfg.Store == nil {
		return "", nil
	}
	s, err := b.cfg.Store.Scorecard(ctx, id, 0)
	if callaudit.KindOf(err) == callaudit.KindNotFound {
		return "", nil
	}
	return s.Team, err
}

// Save saves sc as the next version of its id for team, by the user
// with id by. base is the version the editor started from (0: a new
// scorecard): when another version was saved since, it is a KindConflict
// error. The saved version is numbered one past the latest (of the store
// and the files) and written into the body; sc is not changed.
func (b *Scorecards) Save(ctx context.Context, sc *scorecard.Scorecard, team string, base int, by string) (storage.SavedScorecard, error) {
	if b.cfg.Store == nil {
		return storage.SavedScorecard{}, callaudit.Errorf(callaudit.KindNotConfigured, "saving scorecards needs a store that keeps them (the SQL or in-memory store)")
	}
	latest := 0
	if cur, err := b.Get(ctx, sc.ID, 0); err == nil {
		latest = cur.Version
	} else if callaudit.KindOf(err) != callaudit.KindNotFound {
		return storage.SavedScorecard{}, err
	}
	if base != latest {
		return storage.SavedScorecard{}, storage.ScorecardConflict(sc.ID, base+1, latest)
	}
	next := sc.Clone()
	next.Version = latest + 1
	body, err := next.MarshalYAMLFile()
	if err != nil {
		return storage.SavedScorecard{}, callaudit.Wrap(err, callaudit.KindInternal, "audit.Scorecards", "cannot encode the scorecard")
	}
	saved, err := b.cfg.Store.SaveScorecard(ctx, storage.SavedScorecard{ID: next.ID, Version: next.Version, Team: team, Body: string(body), SavedBy: by})
	if err != nil {
		return storage.SavedScorecard{}, err
	}
	b.forget()
	return saved, nil
}

// Scorer returns the scorer an Auditor using the book scores with: each
// request is scored by the scorer ScorecardsConfig.Scorer makes for the
// scorecard its rubric names (Rubric.Name and Rubric.Version, as Rubric
// sets them), made once per version. Requests without a named rubric, or
// naming the built-in default scorecard (which fallback, e.g.
// checklist.New(), already scores), go to fallback, as does every request
// without ScorecardsConfig.Scorer. Name and DefaultRubric are the default
// scorecard's and fallback's.
func (b *Scorecards) Scorer(fallback score.Scorer) score.Scorer {
	if b.cfg.Scorer == nil {
		return fallback
	}
	d := scorecard.Default()
	return &cardScorer{fallback: fallback, book: b, make: b.cfg.Scorer, made: map[cardKey]score.Scorer{}, builtin: cardKey{d.ID, d.Version}}
}

type cardScorer struct {
	fallback score.Scorer
	book     *Scorecards
	make     func(*scorecard.Scorecard) (score.Scorer, error)
	builtin  cardKey
	mu       sync.Mutex
	made     map[cardKey]score.Scorer
}

func (s *cardScorer) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	if req.Rubric == nil || req.Rubric.Name == "" {
		return s.fallback.Score(ctx, req)
	}
	k := cardKey{req.Rubric.Name, req.Rubric.Version}
	if k == s.builtin {
		return s.fallback.Score(ctx, req)
	}
	s.mu.Lock()
	sc, ok := s.made[k]
	s.mu.Unlock()
	if !ok {
		card, err := s.book.Get(ctx, k.id, k.version)
		if err != nil {
			return nil, err
		}
		if sc, err = s.make(card); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.made[k] = sc
		s.mu.Unlock()
	}
	return sc.Score(ctx, req)
}

// Name is the fallback's name.
func (s *cardScorer) Name() string {
	if n, ok := s.fallback.(score.Namer); ok {
		return n.Name()
	}
	return ""
}

// DefaultRubric is the default scorecard's, else the fallback's.
func (s *cardScorer) DefaultRubric(mode score.Mode) score.Rubric {
	if sc, err := s.book.Get(context.Background(), s.book.defID, 0); err == nil {
		return sc.Rubric(mode)
	}
	if r, ok := s.fallback.(score.RubricScorer); ok {
		return r.DefaultRubric(mode)
	}
	return score.DefaultRubric(mode)
}

// Preview scores in with a draft scorecard, saving nothing: the analysis
// a's Audit would make (its limits and checks, without its store) with
// the draft's rubric, scored by the scorer ScorecardsConfig.Scorer makes
// for the draft, or by a's scorer when there is none.
func (b *Scorecards) Preview(ctx context.Context, a *Auditor, draft *scorecard.Scorecard, in Input) (*score.Report, error) {
	p := *a
	p.store = nil
	p.rubric = func(_ context.Context, _ Input, mode score.Mode) (*score.Rubric, error) {
		r := draft.Rubric(mode)
		return &r, nil
	}
	if b.cfg.Scorer != nil {
		s, err := b.cfg.Scorer(draft)
		if err != nil {
			return nil, err
		}
		p.scorer = s
	}
	in.Checkpoint = nil
	return p.Audit(ctx, in)
}
