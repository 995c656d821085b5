// Package intake takes calls from telephony systems (Mango Office,
// Zadarma, Bitrix24's telephony, ...) as they happen: the operator pastes
// one URL into the PBX's settings and every finished call is downloaded,
// audited and written back, with no glue of one's own.
//
// The framework does what every vendor needs; a vendor package
// (adapters/intake/mango, adapters/intake/zadarma) only says how its
// requests are signed and read and how its recordings are downloaded:
//
//	vendor's POST ─► Handler ─► Vendor.Receive (signature over the raw body)
//	                   │
//	                   ├─ Event without Recording: kept in the event log
//	                   │  (storage.EventLog): duplicates and older events
//	                   │  (Seq) dropped, "no conversation" counted
//	                   └─ Event with Recording: the call's kept facts
//	                      joined, skipped if nothing to audit, else the
//	                      employee mapped to a manager_id and the call
//	                      accepted into the durable queue (Queue) ─► 200
//
//	queue job ─► Intake.FetchRecording ─► Vendor.Fetch (rate-limited Client)
//	               │  NotReady: the job snoozes (River) for the vendor's delay
//	               └─ audio ─► transcribe, score, store ─► write-back
//
// Requests are authenticated by the vendor's signature, never by a
// session or a token; the vendor gets its answer as soon as the event is
// kept, and the work runs later in the queue (adapters/queue), so no
// vendor's time limit is ever at risk.
//
// # Adding a vendor
//
// Copy adapters/intake/zadarma (the smaller one) and its fake
// (zadarmatest) to a package named for the vendor, then change only what
// is the vendor's:
//
//  1. Config: the vendor's secrets and API address, with Common embedded
//     (the employee→manager table, MinTalk, PollDelay, MaxWait, Mode).
//  2. Name: the route segment, /intake/<name>/.
//  3. Receive: verify the signature over body with Equal (return
//     Unauthorized when it is wrong, Malformed when the body cannot be
//     read), then turn each event the vendor documents into an Event: its
//     Kind, CallKey and Seq (the dedupe key), its Facts (direction,
//     employee, phone, talk, NoTalk or Skip), and Recording on the event
//     that says the recording can be downloaded. A vendor without a
//     signature scheme takes a secret in the path (Subpath) and compares
//     it with Equal.
//  4. Fetch: download the recording through the vendor's API with a
//     Client (NewClient keeps the documented rate limit) and the
//     SSRF-safe fetcher given to New for the file itself; return NotReady
//     with the documented delay while the vendor does not have it.
//  5. The fake: the vendor's side built from its documented payloads, in
//     testdata/ with a README naming the documentation sections; it sends
//     the events in the vendor's order, signs them as the vendor does,
//     serves the recording with the vendor's redirect or delay, and
//     answers 429 above the documented rate limit. The end-to-end test
//     drives it through intaketest.Env.
//  6. Wiring: the vendor's settings in cmd/internal/config (an enable
//     flag, secrets, AUDIT_INTAKE_<VENDOR>_MANAGERS) and one line in
//     cmd/internal/server's intake vendors; a README section and a
//     section of docs/telephony.md.
//
// Shared logic belongs here, not in the copy: two vendor packages must
// not share a block of code.
package intake
