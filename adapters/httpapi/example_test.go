package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage/memory"
)

// The handler mounts under a prefix of an existing mux; here the offline
// checklist scorer audits a pasted dialog.
func ExampleNew() {
	a, err := audit.New(checklist.New(), audit.WithStore(memory.New()))
	if err != nil {
		panic(err)
	}
	api, err := httpapi.New(httpapi.Config{Auditor: a})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/audit/", http.StripPrefix("/audit", api))

	body := `{"dialog_text": "Клиент: Здравствуйте! Менеджер: Добрый день! Чем могу помочь?", "content_mode": "Manager +"}`
	req := httptest.NewRequest(http.MethodPost, "/audit/analyze_call", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)

	var rep struct {
		TotalScore int            `json:"total_score"`
		Criteria   map[string]int `json:"criteria"`
		Meta       struct {
			Mode string `json:"mode"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		panic(err)
	}
	fmt.Println(rec.Code, rep.Meta.Mode, rep.Criteria["greeting"] > 0)

	// Errors have one JSON shape.
	req = httptest.NewRequest(http.MethodPost, "/audit/analyze_call", strings.NewReader(`{"dialog_text": "Менеджер: Алло", "content_mode": "Boss"}`))
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	// Output:
	// 200 Manager+ true
	// 422 {"error":{"status":422,"code":"invalid","message":"content_mode: unknown mode \"Boss\"; accepted values: Manager+, Manager +, Client+, Client +, Диалог, Dialog","fields":[{"field":"content_mode","message":"unknown mode \"Boss\"; accepted values: Manager+, Manager +, Client+, Client +, Диалог, Dialog"}]}}
}
