// Package access decides who may do what on a callaudit server: the table
// of roles and token scopes (the one source of truth, rendered into the
// README by Markdown), the Principal a request acts as and which managers'
// calls it sees, password hashing with argon2id, API tokens and session ids
// (kept only as hashes), and a Service that signs users in and checks
// sessions and tokens against a storage.Accounts.
//
// The package does no I/O of its own: the accounts live in the Store
// (storage.Accounts), the HTTP side (cookies, rate limits, CSRF) is in
// adapters/httpapi.
package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/callaudit/callaudit/storage"
)

// Permission is one kind of action a route needs.
type Permission string

// Permissions, one per group of routes.
const (
	// Analyze: the three analyse endpoints (text, uploaded audio, audio by URL).
	Analyze Permission = "analyze"
	// Webhook: POST /webhook/new_call_recording.
	Webhook Permission = "webhook"
	// Read: calls, managers, statistics, within what the principal sees.
	Read Permission = "read"
	// Export: the CSV export of calls, within what the principal sees.
	Export Permission = "export"
	// Delete: deleting calls.
	Delete Permission = "delete"
	// Review: a person's review of a call: the human scores beside the
	// model's, and the resolution of managers' disputes.
	Review Permission = "review"
	// Dispute: a manager's dispute of a criterion's score.
	Dispute Permission = "dispute"
	// Admin: users, teams, tokens, the access log, settings.
	Admin Permission = "admin"
	// Scorecards: the scorecard editor and rescoring. A lead edits only
	// the scorecards of their own teams (the routes check which).
	Scorecards Permission = "scorecards"
)

// Permissions lists every permission, in the order of the table's columns.
var Permissions = []Permission{Analyze, Webhook, Read, Export, Review, Dispute, Delete, Scorecards, Admin}

// Roles lists the account roles, most powerful first.
var Roles = []storage.Role{storage.RoleAdmin, storage.RoleLead, storage.RoleManager}

// Scopes lists the API token scopes.
var Scopes = []storage.Scope{storage.ScopeAnalyze, storage.ScopeWebhook, storage.ScopeRead, storage.ScopeAdmin}

// Visibility is whose calls a principal sees.
type Visibility string

// Visibilities.
const (
	SeesAll   Visibility = "every call"
	SeesTeams Visibility = "the calls of their teams' managers"
	SeesOwn   Visibility = "their own calls"
)

// grant is one row of the table.
type grant struct {
	perms []Permission
	sees  Visibility
	note  string
}

// roleTable is what each role may do. The admin role may do everything.
var roleTable = map[storage.Role]grant{
	storage.RoleAdmin:   {perms: Permissions, sees: SeesAll, note: "everything: users, teams, tokens, settings, every call, delete, every scorecard, rescoring"},
	storage.RoleLead:    {perms: []Permission{Analyze, Read, Export, Review, Scorecards}, sees: SeesTeams, note: "every call and statistic of the managers in their team(s); analyse; export; review their calls and resolve disputes; edit their teams' scorecards"},
	storage.RoleManager: {perms: []Permission{Analyze, Read, Dispute}, sees: SeesOwn, note: "only their own calls and statistics; analyse their own calls; dispute their scores"},
}

// scopeTable is what each token scope grants. A token sees every call
// within its scopes: it stands for a system (a CRM, a BI tool), not a
// person, so no scope reviews or disputes (a review says who made it).
var scopeTable = map[storage.Scope]grant{
	storage.ScopeAnalyze: {perms: []Permission{Analyze}, sees: SeesAll, note: "the three analyse endpoints"},
	storage.ScopeWebhook: {perms: []Permission{Webhook}, sees: SeesAll, note: "the webhook of new call recordings"},
	storage.ScopeRead:    {perms: []Permission{Read, Export}, sees: SeesAll, note: "calls, managers, statistics, CSV export"},
	storage.ScopeAdmin:   {perms: []Permission{Admin, Delete, Scorecards}, sees: SeesAll, note: "users, teams, tokens, access log, delete, scorecards and rescoring"},
}

// RoleCan reports whether the role has the permission.
func RoleCan(r storage.Role, p Permission) bool {
	return slices.Contains(roleTable[r].perms, p)
}

// ScopeCan reports whether a token with the scope has the permission.
func ScopeCan(s storage.Scope, p Permission) bool {
	return slices.Contains(scopeTable[s].perms, p)
}

// ValidRole reports whether r is one of Roles.
func ValidRole(r storage.Role) bool { _, ok := roleTable[r]; return ok }

// ValidScope reports whether s is one of Scopes.
func ValidScope(s storage.Scope) bool { _, ok := scopeTable[s]; return ok }

// Markdown renders the table of roles and scopes, as the README shows it.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| who | ")
	for _, p := range Permissions {
		b.WriteString(string(p) + " | ")
	}
	b.WriteString("sees | in words |\n|---|")
	b.WriteString(strings.Repeat("---|", len(Permissions)+2))
	b.WriteString("\n")
	row := func(who string, g grant) {
		fmt.Fprintf(&b, "| %s | ", who)
		for _, p := range Permissions {
			mark := "–"
			if slices.Contains(g.perms, p) {
				mark = "✓"
			}
			b.WriteString(mark + " | ")
		}
		fmt.Fprintf(&b, "%s | %s |\n", g.sees, g.note)
	}
	for _, r := range Roles {
		row("role `"+string(r)+"`", roleTable[r])
	}
	for _, s := range Scopes {
		row("token scope `"+string(s)+"`", scopeTable[s])
	}
	return b.String()
}
