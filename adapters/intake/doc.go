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
//	                      (with Await, the job waits a while for the
//	                      awaited event before downloading)
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
// Copy adapters/intake/zadarma (the smaller one, with its test) and its
// fake (zadarmatest, with its testdata) to a package named for the
// vendor, then change only what is the vendor's:
//
//  1. Config: the vendor's secrets, with Common (the employee→manager
//     table, MinTalk, PollDelay, MaxWait, Mode) and API (address, rate
//     limit, timeout) embedded; New passes the vendor's Defaults (its
//     name in messages, API address, documented rate limit) to NewBase.
//  2. Name: the route segment, /intake/<name>/.
//  3. Receive: verify the signature over body with Equal (return
//     Unauthorized when it is wrong, Malformed when the body cannot be
//     read), then turn each event the vendor documents into an Event: its
//     Kind, CallKey and Seq (the dedupe key), its Facts (direction,
//     employee, phone, talk, NoTalk or Skip), and Recording on the event
//     that says the recording can be downloaded, with Await when that
//     event may arrive before the one with the facts. A vendor without a
//     signature scheme takes a secret in the path (Subpath) and compares
//     it with Equal.
//  4. Fetch: download the recording through the embedded Base: API (a
//     Client keeping the documented rate limit) for the vendor's API,
//     Files (the SSRF-safe fetcher given to New) for the file itself;
//     return NotReady with the documented delay while the vendor does
//     not have it.
//  5. The fake: the vendor's side built from its documented payloads, in
//     testdata/ with a README naming the documentation sections; it
//     embeds intaketest.Side (its API server, a RateLimit answering 429
//     above the documented limit, Recordings ready after n polls), sends
//     the events in the vendor's order and signs them as the vendor does.
//     The copied test has one test per acceptance point against
//     intaketest.Env, the real queue: TestWrongSignature,
//     TestReplayAndOutOfOrder, TestMissedCall, TestRecordingAfterThreePolls
//     (intaketest.PollsUntilReady), TestBurstAboveRateLimit
//     (intaketest.RunBurst), TestEndToEnd (Env.WaitAudited).
//  6. Wiring: the vendor's settings in cmd/internal/config (an enable
//     flag, secrets, AUDIT_INTAKE_<VENDOR>_MANAGERS) and one line in
//     cmd/internal/server's intake vendors; a README section and a
//     section of docs/telephony.md (the README's walkthrough lists the
//     files).
//
// Shared logic belongs here, not in the copy: two vendor packages must
// not share a block of code.
package intake
