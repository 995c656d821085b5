package yandex

import (
	"context"
	"sync"

	"github.com/callaudit/callaudit"
)

// iamToken holds the IAM token in use and renews it from the source.
type iamToken struct {
	mu     sync.Mutex
	token  string
	source func(ctx context.Context) (string, error)
}

func (i *iamToken) current() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.token
}

// get returns the token, asking the source first when there is none or
// refresh is set.
func (i *iamToken) get(ctx context.Context, refresh bool) (string, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if (i.token == "" || refresh) && i.source != nil {
		token, err := i.source(ctx)
		if err != nil {
			return "", callaudit.Wrap(err, callaudit.KindNotConfigured, "yandex.IAMToken", "no IAM token for Yandex SpeechKit")
		}
		i.token = token
	}
	return i.token, nil
}
