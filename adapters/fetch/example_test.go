package fetch_test

import (
	"context"
	"fmt"
	"log"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/fetch"
)

// A fetcher for recordings on an office PBX: its name and its network are
// allowed, every other internal address stays refused.
func ExampleNew() {
	f, err := fetch.New(fetch.Config{
		AllowHosts: []string{"pbx.office.lan", "10.20.0.0/16"},
		MaxBytes:   200 << 20,
	})
	if err != nil {
		log.Fatal(err)
	}
	// The cloud metadata address is refused before any connection is made.
	_, _, err = f.Fetch(context.Background(), "http://169.254.169.254/latest/meta-data/")
	fmt.Println(callaudit.KindOf(err))
	// Output: invalid
}
