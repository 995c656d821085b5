package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"go.uber.org/fx"
	"golang.org/x/term"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/adapters/auditfx"
	"github.com/callaudit/callaudit/cmd/internal/config"
	"github.com/callaudit/callaudit/storage"
)

const userUsage = `Usage: callaudit user add [--admin | --role ROLE] [--manager-id ID] [--teams A,B] [--name NAME] LOGIN

Adds an account to the server's database (AUDIT_DATABASE_URL). The password
is asked for twice on a terminal, or read from the first line of standard
input (echo "$PW" | callaudit user add --admin anna). ROLE is admin, lead
or manager; a manager needs --manager-id, the manager_id their calls carry.
`

// user runs "callaudit user add".
func user(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprint(stdout, userUsage)
			return exitOK
		}
		fmt.Fprint(stderr, "callaudit user: the command is add\n\n"+userUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	admin := fs.Bool("admin", false, "the account is an admin (same as --role admin)")
	role := fs.String("role", "", "admin, lead or manager")
	managerID := fs.String("manager-id", "", "the manager_id a manager's calls carry")
	teams := fs.String("teams", "", "comma-separated teams a lead sees")
	name := fs.String("name", "", "the name the UI shows")
	rest, err := parseInterleaved(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, userUsage)
			return exitOK
		}
		fmt.Fprintln(stderr, "callaudit user add:", err)
		fmt.Fprint(stderr, userUsage)
		return exitUsage
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, "callaudit user add: give one LOGIN\n\n"+userUsage)
		return exitUsage
	}
	r := storage.Role(*role)
	switch {
	case *admin && r != "" && r != storage.RoleAdmin:
		fmt.Fprintln(stderr, "callaudit user add: --admin and --role", *role, "disagree")
		return exitUsage
	case *admin:
		r = storage.RoleAdmin
	case r == "":
		fmt.Fprint(stderr, "callaudit user add: say --admin or --role admin|lead|manager\n\n"+userUsage)
		return exitUsage
	}
	var teamList []string
	for t := range strings.SplitSeq(*teams, ",") {
		if t = strings.TrimSpace(t); t != "" {
			teamList = append(teamList, t)
		}
	}

	cfg, err := config.Load(".env")
	if err != nil {
		fmt.Fprintln(stderr, "callaudit: configuration:", err)
		return exitUsage
	}
	password, err := readPassword(stdin, stderr, rest[0])
	if err != nil {
		fmt.Fprintln(stderr, "callaudit user add:", err)
		return exitUsage
	}

	var svc *access.Service
	app := fx.New(fx.NopLogger, fx.Supply(slog.New(slog.DiscardHandler)),
		auditfx.Store(cfg.Server.DatabaseURL), auditfx.Access(access.Config{}), fx.Populate(&svc))
	if err := app.Err(); err != nil {
		fmt.Fprintln(stderr, "callaudit: cannot open the database:", callaudit.MessageOf(err))
		return exitFail
	}
	defer func() { _ = app.Stop(context.Background()) }()
	u, err := svc.CreateUser(ctx, access.NewUser{Login: rest[0], Name: *name, Role: r, ManagerID: *managerID, Teams: teamList, Password: password})
	if err != nil {
		fmt.Fprintln(stderr, "callaudit user add:", callaudit.MessageOf(err))
		return exitFail
	}
	fmt.Fprintf(stdout, "added %s %s\n", u.Role, u.Login)
	return exitOK
}

// readPassword asks for the password twice on a terminal, without echo,
// or reads the first line of stdin. It never prints the password.
func readPassword(stdin io.Reader, stderr io.Writer, login string) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "Password for %s: ", login)
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
