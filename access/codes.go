package access

import "github.com/callaudit/callaudit"

// The codes of this package's messages (see callaudit.Code); a server
// shows them in the user's language. Params in brackets.
const (
	CodeSignInWrong  callaudit.Code = "sign_in_wrong"  // a wrong login or password
	CodeSessionEnded callaudit.Code = "session_ended"  // the session is unknown or over
	CodeTokenUnknown callaudit.Code = "token_unknown"  // an unknown or revoked token
	CodeTokenPrefix  callaudit.Code = "token_prefix"   // not a ca_ token
	CodeLoginExists  callaudit.Code = "login_exists"   // the login is taken
	CodeLoginSpaces  callaudit.Code = "login_spaces"   // field: empty or with spaces
	CodeManagerIDFor callaudit.Code = "manager_id_for" // field: a manager without manager_id
	CodeLastAdmin    callaudit.Code = "last_admin"     // the change would leave no active admin
	CodeFirstAdmin   callaudit.Code = "first_admin"    // field: the first account is not an admin
)
