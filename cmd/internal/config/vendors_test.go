package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
)

func TestVendorSettings(t *testing.T) {
	c, err := Parse(map[string]string{
		"AUDIT_YANDEX_API_KEY": "AQVN-yandex-secret", "AUDIT_YANDEX_FOLDER_ID": "b1gfolder",
		"AUDIT_SALUTE_AUTH_KEY": "c2FsdXRlLXNlY3JldA==", "AUDIT_GIGACHAT_AUTH_KEY": "Z2lnYWNoYXQtc2VjcmV0",
		"AUDIT_YANDEX_IAM_TOKEN": "t1.iam-secret", "AUDIT_STEREO_MANAGER_CHANNEL": "right",
	})
	require.NoError(t, err)

	y, err := c.YandexConfig()
	require.NoError(t, err)
	assert.Equal(t, "AQVN-yandex-secret", y.APIKey)
	assert.Equal(t, "https://stt.api.cloud.yandex.net", y.BaseURL)
	assert.Equal(t, 1, y.ManagerChannel, "AUDIT_STEREO_MANAGER_CHANNEL=right")
	g, err := c.YandexGPTConfig()
	require.NoError(t, err)
	assert.Equal(t, "AQVN-yandex-secret", g.APIKey, "YandexGPT falls back to the Yandex key")
	assert.Equal(t, "gpt://b1gfolder/yandexgpt/latest", g.ModelURI())
	gc, err := c.GigaChatConfig()
	require.NoError(t, err)
	assert.Equal(t, 20_000, gc.MaxTranscriptTokens, "capped to GigaChat's context")
	s, err := c.SaluteConfig()
	require.NoError(t, err)
	assert.Equal(t, "https://ngw.devices.sberbank.ru:9443/api/v2/oauth", s.OAuthURL)

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	fmt.Fprintf(&buf, "%v %+v %#v %s", c, c, c, c)
	for _, secret := range []string{"AQVN-yandex-secret", "c2FsdXRlLXNlY3JldA==", "Z2lnYWNoYXQtc2VjcmV0", "t1.iam-secret"} {
		assert.NotContains(t, buf.String(), secret)
	}
	assert.Contains(t, buf.String(), "salute_key_set")

	unset, err := Parse(map[string]string{"AUDIT_STEREO_MANAGER_CHANNEL": ""})
	require.NoError(t, err)
	_, err = unset.YandexConfig()
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	unset.Vendors.SaluteAuthKey = "k"
	sc, _ := unset.SaluteConfig()
	assert.Equal(t, -1, sc.ManagerChannel, "no channel set: found from the text")

	_, err = Parse(map[string]string{"AUDIT_GIGACHAT_URL": "gigachat.local"})
	require.Error(t, err)
	assert.Equal(t, "AUDIT_GIGACHAT_URL", callaudit.FieldsOf(err)[0].Field)
}
