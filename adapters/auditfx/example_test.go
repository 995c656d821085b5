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
	api, err := httpapi.New(httpapi.Config{Auditor: auditor, TranscriberHint: auditfx.TranscriberHint})
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

// The whole server with fx, configured from the environment.
func ExampleOptions() {
	cfg, err := auditfx.ConfigFromEnv(func(key string) string {
		return map[string]string{"AUDIT_ADDR": "127.0.0.1:0", "AUDIT_DATABASE_URL": filepath.Join(os.TempDir(), "example.db")}[key]
	})
	if err != nil {
		log.Fatal(err)
	}
	err = fx.ValidateApp(auditfx.Options(cfg, slog.Default()))
	fmt.Println("valid:", err == nil)
	// Output: valid: true
}
