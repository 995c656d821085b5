package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
)

// promQLWords are PromQL's keywords, which look like metric names.
var promQLWords = []string{"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless", "le", "inf", "nan"}

// metricNames returns the metric names a PromQL expression selects: the
// identifiers left once strings, label matchers, groupings, ranges,
// Grafana variables and function calls are taken out.
func metricNames(expr string) []string {
	for _, re := range []string{`"(?:[^"\\]|\\.)*"`, `\{[^}]*\}`, `\b(?:by|without|on|ignoring)\s*\([^)]*\)`, `\[[^\]]*\]`, `\$\{?\w+\}?`} {
		expr = regexp.MustCompile(re).ReplaceAllString(expr, " ")
	}
	var names []string
	for _, m := range regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`).FindAllStringSubmatch(expr, -1) {
		word := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(m[0]), "("))
		if m[1] != "" || slices.Contains(promQLWords, strings.ToLower(word)) {
			continue // a function, an aggregation or a keyword
		}
		names = append(names, word)
	}
	return names
}

func TestMetricNames(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`sum by (route) (rate(callaudit_http_requests_total{instance=~"$instance"}[$__rate_interval]))`, []string{"callaudit_http_requests_total"}},
		{`histogram_quantile(0.95, sum by (le, route) (rate(x_bucket{a="b{c}"}[5m])))`, []string{"x_bucket"}},
		{`sum(rate(a{code=~"5.."}[1m])) / sum(rate(b[1m])) > 0.05 and on (job) up == 1`, []string{"a", "b", "up"}},
		{`label_values(callaudit_http_requests_total{job=~"$job"}, instance)`, []string{"callaudit_http_requests_total", "instance"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, metricNames(tt.expr), tt.expr)
	}
}

// dashboardQueries returns every PromQL expression of the dashboard:
// the panels' targets and the template variables' queries.
func dashboardQueries(t *testing.T) (targets, variables []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "grafana", "callaudit.json"))
	require.NoError(t, err)
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
		Templating struct {
			List []struct{ Type, Query string }
		}
	}
	require.NoError(t, json.Unmarshal(data, &d))
	require.NotEmpty(t, d.Panels)
	for _, p := range d.Panels {
		require.NotEmpty(t, p.Targets, "panel %q queries nothing", p.Title)
		for _, tg := range p.Targets {
			require.NotEmpty(t, tg.Expr, "panel %q", p.Title)
			targets = append(targets, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			variables = append(variables, v.Query)
		}
	}
	return targets, variables
}

// TestGrafanaDashboardMetrics: every metric the dashboard queries is one
// the server exports (read from a running auditd's /metrics after a
// good audit, a failed one and a webhook, so that every family has a
// series), and every callaudit_* metric it exports has a panel.
func TestGrafanaDashboardMetrics(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	p := start(t, t.TempDir(), "OPENAI_API_KEY="+fake.APIKey, "OPENAI_BASE_URL="+fake.URL)

	resp, body := postJSON(t, p.base+"/analyze_call", analyzeBody("dash-ok"))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	// Every attempt of the next audit fails upstream: an upstream error.
	faults := make([]openaitest.Fault, 8)
	for i := range faults {
		faults[i] = openaitest.Fault{Path: "/chat/completions", Status: http.StatusServiceUnavailable}
	}
	fake.Fail(faults...)
	resp, body = postJSON(t, p.base+"/analyze_call", analyzeBody("dash-failed"))
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, string(body))
	resp, _ = postJSON(t, p.base+"/webhook/new_call_recording", `{"call_id":"dash-hook"}`)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)

	mresp, err := http.Get(p.base + "/metrics")
	require.NoError(t, err)
	defer mresp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(mresp.Body)
	require.NoError(t, err)
	exported := map[string]bool{}
	for name, f := range families {
		exported[name] = true
		if f.GetType().String() == "HISTOGRAM" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				exported[name+s] = true
			}
		}
	}

	targets, variables := dashboardQueries(t)
	used := map[string]bool{}
	for _, expr := range targets {
		for _, name := range metricNames(expr) {
			used[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")] = true
			// up is the series Prometheus itself adds for every scrape.
			assert.True(t, exported[name] || name == "up", "the dashboard queries %s, which auditd does not export (in %s)", name, expr)
		}
	}
	for _, q := range variables {
		names := metricNames(q)
		require.NotEmpty(t, names, q)
		assert.True(t, exported[names[0]], "variable query %s", q)
	}
	for name := range families {
		if strings.HasPrefix(name, "callaudit_") {
			assert.True(t, used[name], "auditd exports %s and no panel shows it", name)
		}
	}
}
