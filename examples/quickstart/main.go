// Command quickstart is the smallest useful program on the library: it
// audits one dialog with the offline checklist scorer (no API key, no
// network) and prints the report as JSON.
//
//	go run ./examples/quickstart dialog.txt
//	echo "Менеджер: Добрый день! Клиент: Здравствуйте." | go run ./examples/quickstart
//	go run ./examples/quickstart -mode "Client+" -lang en dialog.txt
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		// The user-facing message; the detail is for developers.
		fmt.Fprintln(os.Stderr, "quickstart:", callaudit.MessageOf(err))
		os.Exit(1)
	}
}

// run audits the dialog in the file named by args (stdin when there is
// none) and writes the report to stdout; usage goes to stderr.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "Manager+", `analysis mode: "Manager+", "Client+" or "Dialog"`)
	lang := fs.String("lang", "", `report language ("ru", "en"); default: the dialog's`)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return callaudit.Wrap(err, callaudit.KindInvalid, "quickstart", err.Error())
	}
	in := stdin
	if name := fs.Arg(0); name != "" {
		f, err := os.Open(name)
		if err != nil {
			return callaudit.Wrap(err, callaudit.KindNotFound, "quickstart", "cannot open "+name)
		}
		defer f.Close()
		in = f
	}
	// Read one byte past the limit so that an oversized dialog is
	// reported as such rather than silently cut.
	text, err := io.ReadAll(io.LimitReader(in, audit.DefaultMaxDialogBytes+1))
	if err != nil {
		return err
	}

	a, err := audit.New(checklist.New())
	if err != nil {
		return err
	}
	rep, err := a.Audit(context.Background(), audit.Input{DialogText: string(text), Mode: *mode, Language: *lang})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
