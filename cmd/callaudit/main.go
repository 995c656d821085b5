// Command callaudit audits sales calls from the command line.
//
//	callaudit analyze [-mode M] [-lang L] [-json] FILE|-
//	callaudit serve
//	callaudit version
//
// analyze scores a dialog (a text file with speaker labels, or a recording
// when speech-to-text is configured) and prints a readable report, or the
// report as JSON with -json. It scores with the offline checklist, or with
// OpenAI when OPENAI_API_KEY (or OPENAI_BASE_URL) is set in the
// environment or in ./.env. serve runs the reference server, the same as
// auditd.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/auditfx"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the analysis failed
	exitUsage = 2 // bad arguments or configuration
)

const usage = `Usage:
  callaudit analyze [-mode M] [-lang L] [-json] FILE|-   score a dialog or recording
  callaudit serve                                        run the reference server (auditd)
  callaudit version                                      print the version

Settings come from the environment and ./.env (see the README, "Configuration").
`

// run is the whole program, separated from main for tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "analyze":
		return analyze(ctx, args[1:], stdin, stdout, stderr)
	case "serve":
		if len(args) > 1 {
			fmt.Fprintln(stderr, "callaudit serve takes no arguments; configure it with environment variables")
			return exitUsage
		}
		return auditfx.Main(".env", stderr)
	case "version":
		fmt.Fprintln(stdout, auditfx.Version())
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "callaudit: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

func analyze(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "Manager+", "analysis mode: Manager+, Client+ or Dialog")
	lang := fs.String("lang", "", "report language (ru, en); default follows the dialog")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	manager := fs.String("manager", "", "manager id recorded in the report")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: callaudit analyze [-mode M] [-lang L] [-json] FILE|-")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	if _, err := score.ParseMode(*mode); err != nil {
		fmt.Fprintln(stderr, "callaudit:", callaudit.MessageOf(err))
		return exitUsage
	}

	getenv, err := auditfx.Getenv(".env")
	if err != nil {
		fmt.Fprintln(stderr, "callaudit:", err)
		return exitUsage
	}
	cfg, err := auditfx.ConfigFromEnv(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "callaudit: configuration:", callaudit.MessageOf(err))
		return exitUsage
	}
	a, err := newAuditor(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "callaudit:", callaudit.MessageOf(err))
		return exitUsage
	}

	in := audit.Input{Mode: *mode, Language: *lang, ManagerID: *manager}
	release, err := readInput(&in, fs.Arg(0), stdin, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "callaudit:", err)
		return exitFail
	}
	defer release()

	rep, err := a.Audit(ctx, in)
	if err != nil {
		fmt.Fprintf(stderr, "callaudit: %s (%s)\n", callaudit.MessageOf(err), callaudit.KindOf(err))
		if in.Audio != nil && callaudit.KindOf(err) == callaudit.KindNotConfigured {
			fmt.Fprintln(stderr, auditfx.TranscriberHint)
		}
		return exitFail
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "callaudit:", err)
			return exitFail
		}
		return exitOK
	}
	if err := printReport(stdout, rep); err != nil {
		fmt.Fprintln(stderr, "callaudit:", err)
		return exitFail
	}
	return exitOK
}

// newAuditor builds an auditor without a store: the CLI keeps no history.
func newAuditor(cfg auditfx.Config) (*audit.Auditor, error) {
	scorer, err := auditfx.NewScorer(cfg)
	if err != nil {
		return nil, err
	}
	tr, err := auditfx.NewTranscriber(cfg)
	if err != nil {
		return nil, err
	}
	return auditfx.NewAuditor(auditfx.AuditorParams{
		Config:      cfg,
		Logger:      auditfx.NewLogger(cfg, io.Discard),
		Scorer:      scorer,
		Transcriber: tr,
	})
}

// readInput fills in the dialog text or the recording from the file, or
// from stdin for "-". A recording (recognised by its first bytes) is read
// from the file as needed, never loaded whole; stdin is read up to the
// size limits.
func readInput(in *audit.Input, name string, stdin io.Reader, cfg auditfx.Config) (release func(), err error) {
	release = func() {}
	if name == "-" {
		data, err := io.ReadAll(io.LimitReader(stdin, cfg.MaxAudioBytes+1))
		if err != nil {
			return release, err
		}
		if int64(len(data)) > cfg.MaxAudioBytes {
			return release, fmt.Errorf("standard input is larger than %d bytes (AUDIT_MAX_AUDIO_BYTES)", cfg.MaxAudioBytes)
		}
		if f, ok := transcribe.SniffFormat(data); ok {
			audio := transcribe.AudioFromBytes("audio."+f.Ext, data)
			audio.ContentType = f.MIME
			in.Audio = &audio
			return release, nil
		}
		in.DialogText = string(data)
		return release, nil
	}

	f, err := os.Open(name)
	if err != nil {
		return release, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return release, err
	}
	head := make([]byte, transcribe.SniffLen)
	n, _ := io.ReadFull(f, head)
	if format, ok := transcribe.SniffFormat(head[:n]); ok {
		if st.Size() > cfg.MaxAudioBytes {
			f.Close()
			return release, fmt.Errorf("%s is larger than %d bytes (AUDIT_MAX_AUDIO_BYTES)", name, cfg.MaxAudioBytes)
		}
		in.Audio = &transcribe.Audio{Data: f, Size: st.Size(), Filename: transcribe.WithExt(name, format.Ext), ContentType: format.MIME}
		return func() { f.Close() }, nil
	}
	defer f.Close()
	// One byte over the limit is enough for the auditor to say "too large".
	data, err := io.ReadAll(io.LimitReader(io.MultiReader(bytes.NewReader(head[:n]), f), int64(cfg.MaxDialogBytes)+1))
	if err != nil {
		return release, err
	}
	in.DialogText = string(data)
	return release, nil
}
