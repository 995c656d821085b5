// Command callaudit audits sales calls from the command line.
//
//	callaudit analyze [-mode M] [-lang L] [-manager ID] [-json] FILE|-
//	callaudit serve
//	callaudit user add [--admin | --role ROLE] [--manager-id ID] [--teams A,B] [--name NAME] LOGIN
//	callaudit version
//	callaudit help
//
// Flags may come before or after FILE.
//
// analyze scores a dialog (a text file with speaker labels, or a recording
// when speech-to-text is configured) and prints a readable report, or the
// report as JSON with -json. It reads the server's configuration
// (cmd/internal/config: the environment over ./.env) and builds the
// server's pipeline (cmd/internal/server): the offline checklist, or
// OpenAI when OPENAI_API_KEY (or OPENAI_BASE_URL) is set. serve runs the
// reference server, the same as auditd. user add creates an account in the
// server's database, e.g. the first admin.
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
	"strings"
	"syscall"

	"go.uber.org/fx"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/cmd/internal/config"
	"github.com/callaudit/callaudit/cmd/internal/server"
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
  callaudit analyze [-mode M] [-lang L] [-manager ID] [-json] FILE|-   score a dialog or recording
  callaudit serve                                                     run the reference server (auditd)
  callaudit user add [--admin | --role R] [--manager-id ID] LOGIN      add an account (password from the terminal or stdin)
  callaudit rescore [--since T] [--until T] [--scorecard ID[@V]]     score stored calls again as a job with progress
  callaudit version                                                   print the version
  callaudit help                                                      print this help

Flags may come before or after FILE; "-" reads standard input.
Settings come from the environment and ./.env, the environment winning:
OPENAI_API_KEY (or OPENAI_BASE_URL) scores with OpenAI and transcribes
recordings; the README's "Configuration" section lists every setting.
`

// transcriberHint is the CLI's advice when a recording arrives and no
// speech-to-text is configured (the server's says to restart it).
const transcriberHint = "audio needs speech-to-text: set OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible server) in the environment or in ./.env"

// run is the whole program, separated from main for tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "analyze":
		return analyze(ctx, args[1:], stdin, stdout, stderr)
	case "user":
		return user(ctx, args[1:], stdin, stdout, stderr)
	case "rescore":
		return rescore(ctx, args[1:], stdout, stderr)
	case "serve":
		if len(args) > 1 {
			if isHelp(args[1]) {
				fmt.Fprint(stdout, usage)
				return exitOK
			}
			fmt.Fprintln(stderr, "callaudit serve takes no arguments; configure it with environment variables")
			return exitUsage
		}
		return server.Run(".env", stderr)
	case "version":
		fmt.Fprintln(stdout, server.Version())
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "callaudit: unknown flag %s: flags follow the command (callaudit analyze %s …)\n\n%s", args[0], args[0], usage)
		return exitUsage
	}
	fmt.Fprintf(stderr, "callaudit: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

const analyzeUsage = "Usage: callaudit analyze [-mode M] [-lang L] [-manager ID] [-json] FILE|-\n\nFlags may come before or after FILE.\n"

// parseInterleaved parses flags wherever they stand among the arguments
// and returns the others in order: "callaudit analyze call.txt -json"
// works as "callaudit analyze -json call.txt". After "--" everything is
// an argument.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if n := len(args) - len(left); n > 0 && args[n-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			break
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
	return rest, nil
}

func analyze(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed below, once
	mode := fs.String("mode", "Manager+", "analysis mode: Manager+, Client+ or Dialog")
	lang := fs.String("lang", "", "report language (ru, en); default follows the dialog")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	manager := fs.String("manager", "", "manager id recorded in the report")
	direction := fs.String("direction", "", "inbound or outbound when known: evidence for which unlabelled speaker is the manager")
	printUsage := func(w io.Writer) {
		fmt.Fprint(w, analyzeUsage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout)
			return exitOK
		}
		fmt.Fprintln(stderr, "callaudit analyze:", err)
		printUsage(stderr)
		return exitUsage
	}
	if len(files) != 1 {
		reason := "give one file to analyze, or - for standard input"
		if len(files) > 1 {
			reason = fmt.Sprintf("give one file to analyze, not %d (%s)", len(files), strings.Join(files, " "))
		}
		fmt.Fprintln(stderr, "callaudit analyze:", reason)
		printUsage(stderr)
		return exitUsage
	}
	if _, err := score.ParseMode(*mode); err != nil {
		printAuditError(stderr, err)
		return exitUsage
	}

	cfg, err := config.Load(".env")
	if err != nil {
		fmt.Fprintln(stderr, "callaudit: configuration:", err)
		return exitUsage
	}
	a, err := newAuditor(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "callaudit:", callaudit.MessageOf(err))
		return exitUsage
	}

	in := audit.Input{Mode: *mode, Language: *lang, ManagerID: *manager, Direction: transcribe.Direction(*direction)}
	release, err := readInput(&in, files[0], stdin, cfg.Server)
	if err != nil {
		fmt.Fprintln(stderr, "callaudit:", err)
		return exitFail
	}
	defer release()

	rep, err := a.Audit(ctx, in)
	if err != nil {
		printAuditError(stderr, err)
		if in.Audio != nil && callaudit.KindOf(err) == callaudit.KindNotConfigured {
			fmt.Fprintln(stderr, transcriberHint)
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

// newAuditor builds the server's analysis pipeline (the same modules,
// chosen by the same settings) without a store: the CLI keeps no history.
func newAuditor(cfg config.Config) (*audit.Auditor, error) {
	pipeline, _, err := server.Pipeline(cfg)
	if err != nil {
		return nil, err
	}
	var a *audit.Auditor
	app := fx.New(fx.NopLogger, fx.Supply(server.NewLogger(cfg, io.Discard)), pipeline, fx.Populate(&a))
	if err := app.Err(); err != nil {
		return nil, err
	}
	return a, nil
}

// readInput fills in the dialog text or the recording from the file, or
// from stdin for "-". A recording (recognised by its first bytes) is read
// from the file as needed, never loaded whole; stdin is read up to the
// size limits.
func readInput(in *audit.Input, name string, stdin io.Reader, cfg config.Server) (release func(), err error) {
	release = func() {}
	if name == "-" {
		data, err := io.ReadAll(io.LimitReader(stdin, int64(cfg.MaxAudioBytes)+1))
		if err != nil {
			return release, err
		}
		if int64(len(data)) > int64(cfg.MaxAudioBytes) {
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
		if st.Size() > int64(cfg.MaxAudioBytes) {
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

// cliNames are the command line's names for the fields of audit.Input
// that a field error may name.
var cliNames = map[string]string{
	"DialogText": "the dialog in FILE",
	"Audio":      "the recording in FILE",
	"Mode":       "-mode",
	"Language":   "-lang",
	"ManagerID":  "-manager",
}

// printAuditError prints err as the command line speaks: one line per bad
// field, named by its flag or argument, else the message and its kind.
func printAuditError(w io.Writer, err error) {
	fields := callaudit.FieldsOf(err)
	if len(fields) == 0 {
		fmt.Fprintf(w, "callaudit: %s (%s)\n", callaudit.MessageOf(err), callaudit.KindOf(err))
		return
	}
	for _, f := range fields {
		name, ok := cliNames[f.Field]
		if !ok {
			name = f.Field
		}
		fmt.Fprintf(w, "callaudit: %s: %s\n", name, f.Message)
	}
}
