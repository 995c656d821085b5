package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/cmd/internal/config"
)

// BenchmarkAnalyzeCall measures the whole server path of POST
// /analyze_call over loopback HTTP (handler, auditor, scorer, SQLite
// save), with the offline scorer and with the OpenAI scorer against the
// fake answering at once: the server's own cost per request, which is
// what it adds to the model's latency.
func BenchmarkAnalyzeCall(b *testing.B) {
	fake := openaitest.NewServer()
	defer fake.Close()
	for _, bc := range []struct {
		name string
		env  map[string]string
	}{
		{"checklist", nil},
		{"openai-fake", map[string]string{"OPENAI_API_KEY": fake.APIKey, "OPENAI_BASE_URL": fake.URL, "AUDIT_OPENAI_MAX_CONCURRENCY": "64"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			all := map[string]string{"AUDIT_ADDR": "127.0.0.1:0", "AUDIT_DATABASE_URL": b.TempDir() + "/bench.db"}
			for k, v := range bc.env {
				all[k] = v
			}
			cfg, err := config.Parse(all)
			if err != nil {
				b.Fatal(err)
			}
			logs := &syncBuffer{}
			app := fx.New(options(b, cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
			if err := app.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			defer func() { _ = app.Stop(context.Background()) }()
			url := "http://" + listenAddr(b, logs.String()) + "/analyze_call"
			body := `{"dialog_text":` + jsonString(dialog) + `,"content_mode":"Manager+"}`
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := http.Post(url, "application/json", strings.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		})
	}
}
