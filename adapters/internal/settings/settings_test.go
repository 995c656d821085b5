package settings

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDefaults(t *testing.T) {
	assert.Equal(t, 5, Positive(0, 5))
	assert.Equal(t, 5, Positive(-1, 5))
	assert.Equal(t, 3, Positive(3, 5))
	assert.Equal(t, time.Second, Positive(time.Duration(0), time.Second))
	assert.Equal(t, "https://a.example/v1", URL("", "https://a.example/v1/"))
	assert.Equal(t, "http://b", URL("http://b//", "https://a"))
	assert.Equal(t, "(unset)", Redacted(""))
	assert.Equal(t, "[REDACTED]", Redacted("secret"))
}
