-- Checkpoints of storage.TranscriptKeeper: the transcript of a webhook
-- call that is not scored yet, so that a job run again after a crash
-- scores it instead of transcribing it a second time. A row lives from
-- the transcription to the end of the job; the report keeps its own copy.
CREATE TABLE call_transcripts (
	call_id    text PRIMARY KEY,
	transcript text NOT NULL
);
