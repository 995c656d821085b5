// Package audio reads the layout of WAV and MP3 recordings, in pure Go and
// through io.ReaderAt only, so that long recordings can be cut into pieces
// a speech-to-text API accepts and stereo telephony recordings can be
// split into one recording per channel, without decoding and without
// holding the file in memory. Split and SplitChannels return views over
// the original data, not copies. Chunked and Stereo wrap a
// transcribe.Transcriber with those two abilities.
package audio
