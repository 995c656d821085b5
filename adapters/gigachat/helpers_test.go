package gigachat_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"encoding/json"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/gigachat/gigachattest"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func fmtV(v any) string { return fmt.Sprintf("%v %+v %#v", v, v, v) }

// bearerFrom gets a token from the fake's OAuth endpoint the way the
// reference's curl example does.
func bearerFrom(t *testing.T, srv *gigachattest.Server) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.OAuthURL, strings.NewReader(url.Values{"scope": {"GIGACHAT_API_PERS"}}.Encode()))
	req.Header.Set("Authorization", "Basic "+srv.AuthKey)
	req.Header.Set("RqUID", "6f0b1291-c7f3-43c6-bb2e-9f3efb2dc98e")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	return tok.AccessToken
}
