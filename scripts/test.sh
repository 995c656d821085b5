#!/usr/bin/env bash
# The project's one test command (README: "Test"). It installs what the tests
# need when missing (PostgreSQL, Chromium, espeak-ng, and podman with runc for
# the container image test, from Debian's packages), starts a
# throwaway PostgreSQL on a free loopback port, runs the static checks and
# every Go test, and stops PostgreSQL on exit.
#
# Environment it sets for the tests:
#   AUDIT_TEST_POSTGRES_URL  a postgres:// URL of the throwaway server
#   AUDIT_TEST_CHROMIUM      path of the Chromium binary for browser tests
#   AUDIT_TEST_REQUIRE=1     tests that need PostgreSQL or Chromium fail
#                            instead of skipping when these are missing
# Extra arguments are passed to `go test` (e.g. -run TestX); the fuzz step
# at the end (each fuzz target for FUZZTIME, default 5s) runs only with none.
#
# go test's JSON stream goes through scripts/internal/testsummary, which
# prints each package's ok/FAIL line, failed tests' output, every skipped
# test with its reason, then "tests skipped for missing data: N" and the
# closing line "tests: P passed, F failed, S skipped". The run fails when a
# test fails or when any test was skipped for missing data: everything the
# tests need is in the repository or provided here.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

need_pkgs=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || need_pkgs+=(postgresql)
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
# transcribe/energy and the server's energy-only tests synthesise speech.
command -v espeak-ng >/dev/null 2>&1 || need_pkgs+=(espeak-ng)
# cmd/auditd's TestPodmanImage builds and runs the Dockerfile's runtime stage.
{ command -v podman && command -v runc; } >/dev/null 2>&1 || need_pkgs+=(podman runc)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		log "missing ${need_pkgs[*]}: run as root or install them with apt-get"
		exit 1
	fi
	log "installing ${need_pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
	pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi

# A throwaway PostgreSQL owned by the postgres user (it refuses to run as root).
pg_dir=$(mktemp -d /tmp/callaudit-pg.XXXXXX)
chmod 755 "$pg_dir"
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	echo 55432
}
pg_port=$(free_port)
# Run from pg_dir: the postgres user may not enter the current folder.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then (cd "$pg_dir" && runuser -u postgres -- "$@"); else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pg_dir"
stop_pg() {
	as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$pg_dir"
}
trap stop_pg EXIT
log "starting PostgreSQL on 127.0.0.1:$pg_port"
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null
export AUDIT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"
export AUDIT_TEST_CHROMIUM=$(command -v chromium)
export AUDIT_TEST_REQUIRE=1

log "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted" >&2; exit 1; fi
log "go vet"
go vet ./...
log "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
log "OpenAPI lint (Redocly CLI, recommended rules)"
if command -v npx >/dev/null 2>&1; then
	# From the npm registry, with its telemetry and update check off; the
	# document must be valid with no warning.
	lint_rc=0
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		npx --yes @redocly/cli@2.77.0 lint --format=stylish adapters/httpapi/openapi.yaml >"$pg_dir/redocly.log" 2>&1 || lint_rc=$?
	grep -v '[║╔╚]' "$pg_dir/redocly.log" >&2 || true
	if [ "$lint_rc" -ne 0 ] || grep -qE '[0-9]+ (warning|error)s?\.' "$pg_dir/redocly.log"; then
		echo "Redocly reports problems in adapters/httpapi/openapi.yaml" >&2
		exit 1
	fi
else
	log "npx not found: OpenAPI lint not run (install nodejs and npm to run it)"
fi
log "go test -race"
summary="$pg_dir/testsummary"
go build -o "$summary" ./scripts/internal/testsummary
test_rc=0
go test -race -count=1 -timeout 30m -json "$@" ./... | "$summary" || test_rc=$?

# Every fuzz target (func FuzzX in a _test.go file) fuzzes for a short
# while, one after the other, beyond its seed corpus, which the step
# above already ran. A failure prints go test's output (the failing input
# is written under the package's testdata/fuzz/) and fails the run.
# FUZZTIME (default 5s) is each target's time; FUZZTIME=0 skips the step.
fuzztime=${FUZZTIME:-5s}
# fuzz_deadline_race OUTPUT: whether a failed fuzz run's output is only
# Go's coordinator deadline race: the FAIL line of the target followed by
# "context deadline exceeded", no failing input written, no other
# failure message (lines other than the fuzz progress and FAIL/exit lines).
fuzz_deadline_race() {
	grep -q -x '[[:space:]]*context deadline exceeded' <<<"$1" || return 1
	# Nothing else but progress and FAIL lines: a "Failing input written"
	# line, a test's own message or any other line makes it a finding (the
	# last, empty alternative lets blank lines through).
	[ -z "$(grep -v -E -x '[[:space:]]*context deadline exceeded|fuzz: elapsed: .*|--- FAIL: Fuzz[A-Za-z0-9_]* \([0-9.]+s\)|FAIL|exit status 1|FAIL[[:space:]].*|warning: starting with empty corpus|' <<<"$1")" ]
}
fuzz_rc=0
if [ "$fuzztime" != 0 ] && [ $# -eq 0 ]; then
	fuzz_started=$SECONDS
	fuzz_n=0
	while IFS=: read -r file name; do
		pkg="./$(dirname "$file")"
		fuzz_n=$((fuzz_n + 1))
		# -fuzzminimizetime bounds the minimizing of each new input, which
		# by default could take the whole time of a slow target.
		#
		# Go 1.26's fuzz coordinator can fail a target with a bare "context
		# deadline exceeded" at the -fuzztime boundary when its workers are
		# starved of CPU (go.dev/issue/75804, fixed in Go 1.27): no input
		# failed and none is written. Such a run, and only such a run (no
		# "Failing input written" line, no test output but that error), is
		# tried again, at most twice; a real finding fails at once.
		tries=0
		while :; do
			tries=$((tries + 1))
			if out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$pkg" 2>&1); then
				log "fuzz $name $pkg: ok ($(printf '%s\n' "$out" | grep -o 'execs: [0-9]*' | tail -n1))$([ "$tries" -gt 1 ] && echo ", on try $tries after Go's fuzz deadline race")"
				break
			fi
			if [ "$tries" -lt 3 ] && fuzz_deadline_race "$out"; then
				log "fuzz $name $pkg: Go's fuzz coordinator stopped at its deadline with no failing input (go.dev/issue/75804); trying again"
				continue
			fi
			log "fuzz $name $pkg: FAILED"
			printf '%s\n' "$out" >&2
			fuzz_rc=1
			break
		done
	done < <({ git grep -o -E '^func Fuzz[A-Za-z0-9_]*' -- '*_test.go' 2>/dev/null ||
		grep -r -o -E --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's|^\./||'; } | sed 's/:func /:/' | sort)
	log "fuzz: $fuzz_n targets, $fuzztime each, $((SECONDS - fuzz_started))s; $([ "$fuzz_rc" -eq 0 ] && echo 'no failure' || echo 'FAILED')"
fi
[ "$test_rc" -eq 0 ] && [ "$fuzz_rc" -eq 0 ]
