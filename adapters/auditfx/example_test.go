package auditfx_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"go.uber.org/fx"

	"github.com/callaudit/callaudit/adapters/auditfx"
	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
)

// The server without fx: the same pieces the modules wire, built by their
// own constructors and mounted in any mux.
func Example_withoutFx() {
	dir, _ := os.MkdirTemp("", "callaudit-example-")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	store, err := sqlstore.Open(ctx, filepath.Join(dir, "calls.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	fetcher, err := fetch.New(fetch.Config{})
	if err != nil {
		log.Fatal(err)
	}
	auditor, err := audit.New(checklist.New(), audit.WithStore(store), audit.WithFetcher(fetcher))
	if err != nil {
		log.Fatal(err)
	}
	api, err := httpapi.New(httpapi.Config{Auditor: auditor})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/audit/", http.StripPrefix("/audit", api))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/audit/analyze_call", "application/json",
		strings.NewReader(`{"dialog_text":"Менеджер: Добрый день! Клиент: Здравствуйте.","content_mode":"Диалог"}`))
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output: 200 OK
}

// The same server with fx: one module per piece, each given its own
// configuration. A transcriber module (auditfx.OpenAITranscriber) and the
// queue would be added the same way when configured.
func Example_modules() {
	dir, _ := os.MkdirTemp("", "callaudit-example-")
	defer os.RemoveAll(dir)
	logs := &strings.Builder{}
	var api *httpapi.Handler
	app := fx.New(
		fx.NopLogger,
		fx.Supply(slog.New(slog.NewTextHandler(logs, nil))),
		auditfx.Store(filepath.Join(dir, "calls.db")),
		auditfx.Checklist(),
		auditfx.Fetcher(fetch.Config{}),
		auditfx.Auditor(auditfx.AuditorConfig{}),
		auditfx.Handler(httpapi.Config{}),
		auditfx.Server(auditfx.ServerConfig{Addr: "127.0.0.1:0"}),
		fx.Populate(&api),
	)
	if err := app.Start(context.Background()); err != nil {
		log.Fatal(err)
	}
	defer func() { _ = app.Stop(context.Background()) }()
	srv := httptest.NewServer(api)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/analyze_call", "application/json",
		strings.NewReader(`{"dialog_text":"Менеджер: Добрый день! Клиент: Здравствуйте.","content_mode":"Диалог"}`))
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output: 200 OK
}
