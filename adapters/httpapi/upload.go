package httpapi

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// Upload limits besides the recording itself.
const (
	// maxFieldBytes limits one form field other than the file.
	maxFieldBytes = 4 << 10
	// formOverhead is what the body may hold on top of the recording:
	// part headers, boundaries and the small fields.
	formOverhead = 1 << 20
)

// acceptedFormats is the list the 415 names.
const acceptedFormats = "wav, mp3, flac, ogg/opus, m4a/mp4, webm, mpeg"

// analyzeAudioCall handles the multipart upload. The recording is streamed
// part by part to a temporary file (r.MultipartReader, not
// ParseMultipartForm, so the body is never held in memory), its format is
// recognised from its first bytes, and the file is removed when the
// analysis ends.
func (h *Handler) analyzeAudioCall(w http.ResponseWriter, r *http.Request) {
	if _, err := requireMediaType(r, "multipart/form-data"); err != nil {
		h.writeError(w, r, err)
		return
	}
	// Answer "not configured" before reading what may be a large upload,
	// unless a stereo recording can be measured without speech-to-text.
	measure := h.measures()
	if err := h.needTranscriber(); err != nil && !measure {
		h.writeError(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxAudioBytes+formOverhead)
	var replace bool
	in, cleanup, err := h.readUpload(r, &replace)
	defer cleanup()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if measure {
		h.measure(w, r, in)
		return
	}
	h.audit(w, r, in, replace)
}

// readUpload reads the form into an audit.Input whose Audio is a temporary
// file, and the replace field into *replace; cleanup closes and removes
// the file and is never nil.
func (h *Handler) readUpload(r *http.Request, replace *bool) (in audit.Input, cleanup func(), err error) {
	cleanup = func() {}
	mr, err := r.MultipartReader()
	if err != nil {
		return in, cleanup, coded(err, callaudit.KindMalformed, codeMultipartInvalid, "the body is not a valid multipart/form-data upload", nil)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return in, cleanup, uploadError(err, h.cfg.MaxAudioBytes)
		}
		switch name := part.FormName(); name {
		case "audio":
			if in.Audio != nil {
				return in, cleanup, callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "give one file only", Code: codeOneFile})
			}
			audio, release, err := h.saveAudio(part)
			if err != nil {
				return in, cleanup, err
			}
			in.Audio, cleanup = &audio, release
		case "content_mode", "call_id", "manager_id", "language", "replace", "direction":
			v, err := readField(part, name, h.cfg.MaxAudioBytes)
			if err != nil {
				return in, cleanup, err
			}
			switch name {
			case "content_mode":
				// Reject an unknown mode as soon as it arrives, not after
				// a large file has been stored.
				if _, err := score.ParseMode(v); err != nil {
					return in, cleanup, err
				}
				in.Mode = v
			case "call_id":
				in.CallID = v
			case "direction":
				in.Direction = transcribe.Direction(v)
			case "manager_id":
				in.ManagerID = v
			case "language":
				in.Language = v
				infoOf(r).language = v
			case "replace":
				b, perr := strconv.ParseBool(v)
				if perr != nil {
					return in, cleanup, callaudit.Invalid(callaudit.FieldError{Field: "replace", Message: "must be true or false", Code: codeJSONType, Params: map[string]string{"type": "boolean"}})
				}
				*replace = b
			}
		default:
			// Unknown fields are ignored, as in JSON bodies; they still
			// count towards the body limit.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return in, cleanup, uploadError(err, h.cfg.MaxAudioBytes)
			}
		}
	}
	if in.Audio == nil {
		return in, cleanup, callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "is required: send the recording as a file field named audio", Code: codeAudioRequired})
	}
	return in, cleanup, nil
}

// saveAudio streams one file part to a temporary file named with the
// extension of the format its bytes show.
func (h *Handler) saveAudio(part *multipart.Part) (transcribe.Audio, func(), error) {
	noop := func() {}
	head, err := readHead(part, transcribe.SniffLen)
	switch {
	case err != nil:
		return transcribe.Audio{}, noop, uploadError(err, h.cfg.MaxAudioBytes)
	case len(head) == 0:
		return transcribe.Audio{}, noop, callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "the file is empty", Code: callaudit.CodeFileEmpty})
	}
	format, ok := transcribe.SniffFormat(head)
	if !ok {
		return transcribe.Audio{}, noop, &callaudit.Error{
			Kind:    callaudit.KindUnsupported,
			Message: "audio: the file is not a recording in a supported format (" + acceptedFormats + "); the format is read from the file's bytes, not its name",
			Code:    codeAudioFormat,
			Params:  map[string]string{"formats": acceptedFormats},
			Fields:  []callaudit.FieldError{{Field: "audio", Message: "unsupported format", Code: codeUnsupportedFormat}},
		}
	}
	f, err := os.CreateTemp(h.cfg.TempDir, "callaudit-upload-*."+format.Ext)
	if err != nil {
		return transcribe.Audio{}, noop, coded(err, callaudit.KindInternal, codeUploadStore, "cannot store the upload", nil)
	}
	release := func() {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
	size, err := copyLimited(f, head, part, h.cfg.MaxAudioBytes)
	if err != nil {
		release()
		return transcribe.Audio{}, noop, err
	}
	return transcribe.Audio{
		Data:        f,
		Size:        size,
		Filename:    transcribe.WithExt(part.FileName(), format.Ext),
		ContentType: format.MIME,
	}, release, nil
}

// readHead reads up to n bytes, fewer only when the part ends. Unlike
// io.ReadFull it keeps a truncated body (multipart's io.ErrUnexpectedEOF)
// apart from a short file.
func readHead(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, n)
	got := 0
	for got < n {
		m, err := r.Read(buf[got:])
		got += m
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf[:got], nil
}

// copyLimited writes head and the rest of src to f, failing with
// KindTooLarge as soon as more than max bytes arrive.
func copyLimited(f *os.File, head []byte, src io.Reader, max int64) (int64, error) {
	if _, err := f.Write(head); err != nil {
		return 0, coded(err, callaudit.KindInternal, codeUploadStore, "cannot store the upload", nil)
	}
	n, err := io.Copy(f, io.LimitReader(src, max-int64(len(head))+1))
	size := int64(len(head)) + n
	var pathErr *os.PathError
	switch {
	case errors.As(err, &pathErr):
		return size, coded(err, callaudit.KindInternal, codeUploadStore, "cannot store the upload", nil)
	case err != nil:
		return size, uploadError(err, max)
	case size > max:
		return size, tooLarge(max)
	}
	return size, nil
}

// readField reads a small form field.
func readField(part *multipart.Part, name string, maxAudio int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
	if err != nil {
		return "", uploadError(err, maxAudio)
	}
	if len(b) > maxFieldBytes {
		max := strconv.Itoa(maxFieldBytes)
		return "", callaudit.Invalid(callaudit.FieldError{Field: name, Message: "must be at most " + max + " bytes", Code: codeFieldBytes, Params: map[string]string{"max": max}})
	}
	return strings.TrimSpace(string(b)), nil
}

// uploadError classifies a failure to read the multipart body.
func uploadError(err error, max int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(max)
	}
	return coded(err, callaudit.KindMalformed, codeMultipartBroken, "the multipart upload is malformed or was interrupted", nil)
}

func tooLarge(max int64) error {
	limit := byteSize(max)
	return &callaudit.Error{
		Kind:    callaudit.KindTooLarge,
		Message: "audio: the recording is larger than the limit of " + limit,
		Code:    codeAudioTooLarge,
		Params:  map[string]string{"limit": limit},
		Fields:  []callaudit.FieldError{{Field: "audio", Message: "too large", Code: callaudit.CodeFieldTooLarge}},
	}
}

// coded wraps err, the cause for logs, with a message of the catalogue.
func coded(err error, kind callaudit.Kind, code callaudit.Code, msg string, params map[string]string) *callaudit.Error {
	e := callaudit.Wrap(err, kind, "httpapi", msg)
	e.Code, e.Params = code, params
	return e
}
