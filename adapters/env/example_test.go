package env_test

import (
	"fmt"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/env"
)

func Example() {
	vars := map[string]string{"APP_TIMEOUT": "45s", "APP_WORKERS": "none", "APP_MAX_BYTES": "0"}
	r := env.New(func(k string) string { return vars[k] })
	timeout, workers, maxBytes := 30*time.Second, 4, int64(1<<20)
	r.Duration("APP_TIMEOUT", &timeout)
	r.Int("APP_WORKERS", &workers, 1)
	r.Bytes("APP_MAX_BYTES", &maxBytes)
	fmt.Println(timeout, workers, maxBytes)
	for _, f := range callaudit.FieldsOf(r.Err()) {
		fmt.Println(f.Field, f.Message)
	}
	// Output:
	// 45s 4 1048576
	// APP_WORKERS must be a whole number of at least 1
	// APP_MAX_BYTES must be a positive number of bytes
}
