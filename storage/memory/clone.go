package memory

import (
	"maps"
	"slices"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// cloneCall returns a deep copy of c: nothing reachable from the result is
// shared with c, so neither the caller nor the store can change the
// other's value. It is written out by hand because it runs on every Save,
// Get and listed call; a JSON round trip would cost ten times more.
func cloneCall(c storage.Call) storage.Call {
	if c.Report != nil {
		c.Report = cloneReport(c.Report)
	}
	return c
}

func cloneReport(r *score.Report) *score.Report {
	out := *r
	out.Criteria = maps.Clone(r.Criteria)
	out.RawModelOutput = slices.Clone(r.RawModelOutput)
	out.RecommendationList = slices.Clone(r.RecommendationList)
	if r.Details != nil {
		out.Details = make([]score.CriterionResult, len(r.Details))
		for i, d := range r.Details {
			if d.Evidence != nil {
				ev := make([]score.Evidence, len(d.Evidence))
				for j, e := range d.Evidence {
					e.Start = clonePtr(e.Start)
					ev[j] = e
				}
				d.Evidence = ev
			}
			out.Details[i] = d
		}
	}
	out.Metrics = cloneMetrics(r.Metrics)
	out.Meta.Usage = clonePtr(r.Meta.Usage)
	if r.Transcript != nil {
		tr := r.Transcript.Clone()
		out.Transcript = &tr
	}
	return &out
}

func cloneMetrics(m transcribe.Metrics) transcribe.Metrics {
	m.DurationSeconds = clonePtr(m.DurationSeconds)
	m.ManagerTalkSeconds = clonePtr(m.ManagerTalkSeconds)
	m.ClientTalkSeconds = clonePtr(m.ClientTalkSeconds)
	m.ManagerTalkShareByTime = clonePtr(m.ManagerTalkShareByTime)
	m.LongestMonologueSeconds = clonePtr(m.LongestMonologueSeconds)
	m.SilenceSeconds = clonePtr(m.SilenceSeconds)
	m.LongestSilenceSeconds = clonePtr(m.LongestSilenceSeconds)
	m.Interruptions = clonePtr(m.Interruptions)
	m.ManagerInterruptions = clonePtr(m.ManagerInterruptions)
	return m
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
