package storage

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
)

// SavedScorecard is one saved version of a scorecard (package
// score/scorecard's file format). Versions are never changed once saved:
// a report's Meta.Scorecard and Meta.ScorecardVersion always name the
// rules it was scored with.
type SavedScorecard struct {
	ID      string
	Version int
	// Team is the team (Team.Name) whose managers' calls it scores; empty
	// for none: a scorecard kept for rescoring or for a team later.
	Team string
	// Body is the scorecard file, YAML, with Version in it.
	Body string
	// SavedBy is the id of the user who saved it; SavedAt is set by the
	// store.
	SavedBy string
	SavedAt time.Time
}

// Scorecards is implemented by stores that keep saved scorecards with
// every version. Callers type-assert.
//
// Contract (checked by storagetest.Run when the store implements it):
//   - SaveScorecard stores a new version: sc.Version must be above the
//     latest saved version of sc.ID (any for a new id; versions may skip,
//     e.g. a file's version 3 saved first), else it is a KindConflict
//     error and nothing changes, so that of two editors who started from
//     the same version only the first saves. It sets SavedAt and returns
//     the version as stored. An empty ID or Body, or a Version below 1,
//     is KindInvalid.
//   - Scorecard returns version of id, the latest for version 0; an
//     unknown id or version is KindNotFound.
//   - ScorecardVersions lists every version of id, oldest first; an
//     unknown id is KindNotFound.
//   - Scorecards lists the latest version of every id, by id.
//   - Safe for concurrent use: of concurrent saves of one version exactly
//     one succeeds. Times are in UTC. Every method returns promptly with
//     an error once ctx is done.
type Scorecards interface {
	SaveScorecard(ctx context.Context, sc SavedScorecard) (SavedScorecard, error)
	Scorecard(ctx context.Context, id string, version int) (SavedScorecard, error)
	ScorecardVersions(ctx context.Context, id string) ([]SavedScorecard, error)
	Scorecards(ctx context.Context) ([]SavedScorecard, error)
}

// CheckSaveScorecard validates SaveScorecard's argument, for every store.
func CheckSaveScorecard(sc SavedScorecard) error {
	var fields []callaudit.FieldError
	if strings.TrimSpace(sc.ID) == "" {
		fields = append(fields, callaudit.FieldError{Field: "id", Message: "is required", Code: callaudit.CodeRequired})
	}
	if sc.Version < 1 {
		fields = append(fields, callaudit.FieldError{Field: "version", Message: "must be at least 1"})
	}
	if strings.TrimSpace(sc.Body) == "" {
		fields = append(fields, callaudit.FieldError{Field: "body", Message: "is required", Code: callaudit.CodeRequired})
	}
	if len(fields) > 0 {
		return callaudit.Invalid(fields...)
	}
	return nil
}

// ScorecardNotFound is the KindNotFound error of an unknown scorecard, or
// of an unknown version of one (version 0: the scorecard).
func ScorecardNotFound(id string, version int) *callaudit.Error {
	q := strconv.Quote(id)
	if version > 0 {
		v := strconv.Itoa(version)
		return callaudit.Coded(callaudit.KindNotFound, callaudit.CodeScorecardNoVersion, "scorecard "+q+" has no version "+v, map[string]string{"id": q, "version": v})
	}
	return callaudit.Coded(callaudit.KindNotFound, callaudit.CodeScorecardNotFound, "scorecard "+q+" not found", map[string]string{"id": q})
}

// ScorecardConflict is the KindConflict error of a save whose version is
// not above the latest.
func ScorecardConflict(id string, version, latest int) *callaudit.Error {
	q, v, l := strconv.Quote(id), strconv.Itoa(version), strconv.Itoa(latest)
	return callaudit.Coded(callaudit.KindConflict, callaudit.CodeScorecardConflict, "scorecard "+q+" is at version "+l+": version "+v+" cannot be saved; reload it and save again",
		map[string]string{"id": q, "version": v, "latest": l})
}
