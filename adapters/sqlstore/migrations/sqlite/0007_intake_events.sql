-- The events of storage.EventLog: what a telephony system (Mango Office,
-- Zadarma, ...) sent about a call, kept by adapters/intake to drop an
-- event sent again or an older one arriving late (one row per vendor,
-- call and kind, with the highest seq seen), and to join the events of
-- one call. Rows hold phone numbers: DeleteEventsBefore purges them.
CREATE TABLE intake_events (
	vendor   text NOT NULL,
	call_key text NOT NULL,
	kind     text NOT NULL,
	seq      bigint NOT NULL,
	data     text NOT NULL,
	at       TEXT NOT NULL,
	PRIMARY KEY (vendor, call_key, kind)
);
CREATE INDEX intake_events_at ON intake_events (at);
