package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/cmd/internal/config"
	"github.com/callaudit/callaudit/storage"
)

// BootstrapError is the refusal to start with no accounts on an address
// other machines can reach: anyone could read every call.
type BootstrapError struct{ Addr string }

func (e *BootstrapError) Error() string {
	return fmt.Sprintf(`refusing to start: %s can be reached from other machines and the server has no accounts yet, so anyone could read every call.
Create the first admin, then start again:
  callaudit user add --admin NAME      (asks for the password, or reads it from standard input)
or set AUDIT_ADMIN_PASSWORD (and AUDIT_ADMIN_LOGIN, default admin) to create it on this start.
To listen on this machine only, set AUDIT_ADDR=127.0.0.1:8000; to run without accounts anyway, set AUDIT_AUTH=off.`, e.Addr)
}

// AccessMode is how the server treats requests, decided at start.
type AccessMode string

// Access modes.
const (
	// ModeAccounts: every request but the public ones signs in.
	ModeAccounts AccessMode = "accounts"
	// ModeLocal: no accounts yet and a loopback address; every request may
	// do everything until the first account is created.
	ModeLocal AccessMode = "local"
	// ModeOff: AUDIT_AUTH=off.
	ModeOff AccessMode = "off"
)

// Bootstrap decides the access mode at start: it creates the first admin
// from AUDIT_ADMIN_PASSWORD when there are no accounts, and refuses
// (*BootstrapError) a start with no accounts on a non-loopback address.
func Bootstrap(ctx context.Context, c config.Config, svc *access.Service, logger *slog.Logger) (AccessMode, error) {
	if c.Access.Auth == config.AuthOff {
		return ModeOff, nil // Options has logged it
	}
	has, err := svc.HasUsers(ctx)
	if err != nil {
		return "", err
	}
	if !has && c.Access.AdminPassword != "" {
		u, err := svc.CreateUser(ctx, access.NewUser{Login: c.Access.AdminLogin, Role: storage.RoleAdmin, Password: c.Access.AdminPassword})
		if err != nil {
			return "", callaudit.Wrap(err, callaudit.KindOf(err), "server.Bootstrap", "cannot create the first admin from AUDIT_ADMIN_PASSWORD: "+callaudit.MessageOf(err))
		}
		logger.Info("created the first admin from AUDIT_ADMIN_PASSWORD; remove the variable now", "login", u.Login)
		has = true
	}
	switch {
	case has:
		return ModeAccounts, nil
	case c.LocalMode():
		logger.Info("local mode: no accounts yet, so every request may do everything; only this machine can connect. Create an admin (callaudit user add --admin NAME) before listening on other addresses", "addr", c.Server.Addr)
		return ModeLocal, nil
	}
	return "", &BootstrapError{Addr: c.Server.Addr}
}
