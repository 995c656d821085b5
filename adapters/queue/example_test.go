package queue_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// wavFetcher stands in for adapters/fetch: every URL is a short WAV.
type wavFetcher struct{}

func (wavFetcher) Fetch(ctx context.Context, url string) (transcribe.Audio, func(), error) {
	return transcribe.AudioFromBytes("call.wav", transcribetest.WAV(0.2, 8000, 1)), func() {}, nil
}

// A webhook call is queued at once and analysed in the background. The
// in-memory store cannot share a transaction, so the queue keeps its jobs
// in a SQLite file beside DatabaseURL ("calls.db-queue").
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "queue-example-")
	defer os.RemoveAll(dir)

	store := memory.New()
	a, _ := audit.New(checklist.New(), audit.WithStore(store),
		audit.WithTranscriber(&transcribetest.Fake{}), audit.WithFetcher(wavFetcher{}))
	q, err := queue.Open(ctx, queue.Config{DatabaseURL: filepath.Join(dir, "calls.db"), Auditor: a})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = q.Start(ctx)
	defer q.Stop(ctx)

	call, created, _ := q.EnqueueCall(ctx, audit.Input{CallID: "call-1", AudioURL: "https://pbx.example.com/rec/1.wav"}, "")
	fmt.Println(call.Status, created)
	_, created, _ = q.EnqueueCall(ctx, audit.Input{CallID: "call-1", AudioURL: "https://pbx.example.com/rec/1.wav"}, "")
	fmt.Println("resend creates a job:", created)

	for {
		c, _ := store.Get(ctx, "call-1")
		if c.Status == storage.StatusDone {
			fmt.Println(c.Status, c.Report != nil)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Output:
	// queued true
	// resend creates a job: false
	// done true
}

// With the SQL store the queue keeps its jobs in the history's own
// database and writes each webhook call and its job in one transaction:
// one file, and nothing to repair after a crash.
func Example_sqlStore() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "queue-example-")
	defer os.RemoveAll(dir)
	dbURL := filepath.Join(dir, "calls.db")

	store, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	a, _ := audit.New(checklist.New(), audit.WithStore(store),
		audit.WithTranscriber(&transcribetest.Fake{}), audit.WithFetcher(wavFetcher{}))
	q, err := queue.Open(ctx, queue.Config{DatabaseURL: dbURL, Auditor: a})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = q.Start(ctx)
	defer q.Stop(ctx)

	call, created, _ := q.EnqueueCall(ctx, audit.Input{CallID: "call-1", AudioURL: "https://pbx.example.com/rec/1.wav"}, "")
	fmt.Println(call.Status, created)
	for {
		c, _ := store.Get(ctx, "call-1")
		if c.Status == storage.StatusDone {
			fmt.Println(c.Status, c.Report != nil)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err = os.Stat(dbURL + "-queue")
	fmt.Println("separate queue file:", err == nil)
	// Output:
	// queued true
	// done true
	// separate queue file: false
}
