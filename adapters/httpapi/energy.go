package httpapi

import (
	"errors"
	"net/http"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/energy"
)

// AnalysisEnergyOnly is EnergyReport.Analysis.
const AnalysisEnergyOnly = "energy_only"

// EnergyReport is the 200 answer of the audio routes on a server without
// speech-to-text when the recording is a stereo WAV: the conversation
// measured from the two channels' energy (audit.Auditor.Measure). The text
// was not analysed, so there is no transcript, no score and no criteria,
// and nothing is saved in the history; Note says so in the request's
// language.
type EnergyReport struct {
	Analysis string `json:"analysis"`
	// TextAnalysed and Saved are false.
	TextAnalysed bool           `json:"text_analysed"`
	Saved        bool           `json:"saved"`
	Note         string         `json:"note"`
	NoteCode     callaudit.Code `json:"note_code"`
	CallID       string         `json:"call_id,omitempty"`
	ManagerID    string         `json:"manager_id,omitempty"`
	// ManagerChannel is "left" or "right" (AUDIT_STEREO_MANAGER_CHANNEL,
	// left when unset).
	ManagerChannel string            `json:"manager_channel"`
	Metrics        energy.Metrics    `json:"metrics"`
	Channels       [2]energy.Channel `json:"channels"`
	Segments       []EnergySegment   `json:"segments"`
}

// EnergySegment is one side's utterance, in seconds from the start.
type EnergySegment struct {
	Speaker transcribe.Role `json:"speaker"`
	Start   float64         `json:"start"`
	End     float64         `json:"end"`
}

// channelNames are the WAV channels by index.
var channelNames = [2]string{"left", "right"}

// measures reports whether audio is measured instead of transcribed: the
// server has no transcriber but can measure.
func (h *Handler) measures() bool {
	return !h.auditor.CanTranscribe() && h.auditor.CanMeasure()
}

// measure answers an audio input on a server without speech-to-text: an
// EnergyReport for a stereo WAV, the transcriber hint's 503 for anything
// else (a mono recording, another format).
func (h *Handler) measure(w http.ResponseWriter, r *http.Request, in audit.Input) {
	if err := h.checkInput(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if in.Audio != nil && !energy.IsStereoWAV(in.Audio.Data, in.Audio.Size) {
		h.writeError(w, r, h.needTranscriber())
		return
	}
	res, err := h.auditor.Measure(r.Context(), in)
	switch {
	case errors.Is(err, energy.ErrNotStereo):
		h.writeError(w, r, h.needTranscriber())
		return
	case err != nil:
		h.writeError(w, r, err)
		return
	}
	lang := requestLanguage(r, infoOf(r).language)
	rep := EnergyReport{
		Analysis: AnalysisEnergyOnly,
		Note:     text(lang, codeEnergyOnly, nil, ""),
		NoteCode: codeEnergyOnly,
		CallID:   in.CallID, ManagerID: in.ManagerID,
		Metrics:  res.Metrics,
		Channels: res.Channels,
		Segments: make([]EnergySegment, 0, len(res.Segments)),
	}
	for _, c := range res.Channels {
		if c.Role == transcribe.RoleManager {
			rep.ManagerChannel = channelNames[c.Index]
		}
	}
	for _, s := range res.Segments {
		rep.Segments = append(rep.Segments, EnergySegment{Speaker: s.Speaker, Start: *s.Start, End: *s.End})
	}
	w.Header().Set("Content-Language", lang)
	writeJSON(w, http.StatusOK, rep)
}
