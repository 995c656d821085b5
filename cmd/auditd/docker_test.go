package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"debug/buildinfo"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	digest "github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoRoot is the folder of go.mod and the Dockerfile.
var repoRoot = filepath.Join("..", "..")

// offlineImages answers BuildKit's image lookups with an empty image
// config, so that the linter runs without a registry.
type offlineImages struct{}

func (offlineImages) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, digest.FromString(ref), []byte(`{"architecture":"amd64","os":"linux","config":{}}`), nil
}

// lintDockerfile runs BuildKit's Dockerfile checks, the ones
// `docker build --check` runs, and returns the rules that fired.
func lintDockerfile(t *testing.T, dt []byte) []string {
	t.Helper()
	sm := llb.NewSourceMap(nil, "Dockerfile", "", dt)
	sm.Definition = &llb.Definition{} // the results refer to it; no build runs
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{SourceMap: sm, MetaResolver: offlineImages{}})
	require.NoError(t, err)
	require.Nil(t, res.Error, "the Dockerfile does not convert")
	var rules []string
	for _, w := range res.Warnings {
		line := 0
		if len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		rules = append(rules, fmt.Sprintf("%s (line %d): %s", w.RuleName, line, w.Detail))
	}
	return rules
}

func TestDockerfileLint(t *testing.T) {
	ours, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	require.NoError(t, err)
	tests := []struct {
		name       string
		dockerfile []byte
		want       []string // rule names, in order
	}{
		{"the project's Dockerfile", ours, nil},
		// The linter is live: these are the mistakes it must catch.
		{"mistakes", []byte("FROM golang AS build\nARG API_TOKEN\nFROM scratch as Runtime\ncopy --from=build /a /b\nCMD /auditd\n"),
			[]string{"SecretsUsedInArgOrEnv", "FromAsCasing", "StageNameCasing", "ConsistentInstructionCasing", "JSONArgsRecommended"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lintDockerfile(t, tt.dockerfile)
			var names []string
			for _, r := range got {
				names = append(names, r[:strings.Index(r, " ")])
			}
			assert.ElementsMatch(t, tt.want, names, "%s", strings.Join(got, "\n"))
		})
	}
}

// dockerfile is what the tests take from the Dockerfile: the build
// stage's commands and the runtime image's layout and settings.
type dockerfile struct {
	metaArgs   map[string]string // ARGs before the first FROM
	bases      []string          // each stage's FROM, unexpanded
	buildArgs  map[string]string // the build stage's ARGs
	buildRuns  []string          // the build stage's RUN shell commands
	copies     []*instructions.CopyCommand
	user       string
	workdir    string
	env        []string
	volumes    []string
	health     []string
	entrypoint []string
	exposed    []string
}

func parseDockerfile(t *testing.T) dockerfile {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "Dockerfile"))
	require.NoError(t, err)
	defer f.Close()
	ast, err := parser.Parse(f)
	require.NoError(t, err)
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	require.NoError(t, err)
	require.Len(t, stages, 2, "a build stage and a runtime stage")
	d := dockerfile{metaArgs: map[string]string{}, buildArgs: map[string]string{}}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			d.metaArgs[kv.Key] = kv.ValueString()
		}
	}
	for _, s := range stages {
		d.bases = append(d.bases, s.BaseName)
	}
	build, runtime := stages[0], stages[1]
	require.Equal(t, "build", build.Name)
	for _, c := range build.Commands {
		switch c := c.(type) {
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				d.buildArgs[kv.Key] = kv.ValueString()
			}
		case *instructions.RunCommand:
			require.True(t, c.PrependShell, "RUN in shell form")
			d.buildRuns = append(d.buildRuns, strings.Join(c.CmdLine, " "))
		}
	}
	for _, c := range runtime.Commands {
		switch c := c.(type) {
		case *instructions.CopyCommand:
			d.copies = append(d.copies, c)
		case *instructions.UserCommand:
			d.user = c.User
		case *instructions.WorkdirCommand:
			d.workdir = c.Path
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				d.env = append(d.env, kv.Key+"="+kv.Value)
			}
		case *instructions.VolumeCommand:
			d.volumes = append(d.volumes, c.Volumes...)
		case *instructions.HealthCheckCommand:
			d.health = c.Health.Test
		case *instructions.EntrypointCommand:
			d.entrypoint = c.CmdLine
		case *instructions.ExposeCommand:
			d.exposed = append(d.exposed, c.Ports...)
		case *instructions.RunCommand:
			t.Fatalf("the runtime image has no shell to RUN %q", c.CmdLine)
		}
	}
	return d
}

// uid is the numeric user of USER uid:gid.
func (d dockerfile) uid(t *testing.T) (uint32, uint32) {
	u, g, _ := strings.Cut(d.user, ":")
	uid, err := strconv.ParseUint(u, 10, 32)
	require.NoError(t, err, "USER is numeric, so that Kubernetes' runAsNonRoot can check it")
	gid, err := strconv.ParseUint(g, 10, 32)
	require.NoError(t, err)
	return uint32(uid), uint32(gid)
}

// The promises of the issue, read from the Dockerfile itself.
func TestDockerfileSettings(t *testing.T) {
	d := parseDockerfile(t)
	assert.Equal(t, []string{"${GO_IMAGE}", "${RUNTIME_IMAGE}"}, d.bases, "base images are build arguments")
	assert.Equal(t, "scratch", d.metaArgs["RUNTIME_IMAGE"])
	assert.Contains(t, d.metaArgs["GO_IMAGE"], "golang:")
	build := strings.Join(d.buildRuns, "\n")
	assert.Contains(t, build, "CGO_ENABLED=0 go build -trimpath")
	assert.Contains(t, build, "-X github.com/callaudit/callaudit/cmd/internal/server.version=${VERSION}")
	uid, _ := d.uid(t)
	assert.NotZero(t, uid, "not root")
	assert.Equal(t, []string{"/data"}, d.volumes)
	assert.Equal(t, "/data", d.workdir)
	assert.Contains(t, d.env, "AUDIT_ADDR=0.0.0.0:8000")
	assert.Contains(t, d.env, "AUDIT_DATABASE_URL=/data/callaudit.db")
	assert.Equal(t, []string{"8000/tcp"}, normalizePorts(d.exposed))
	assert.Equal(t, []string{"CMD", "/auditd", "healthcheck"}, d.health)
	assert.Equal(t, []string{"/auditd"}, d.entrypoint)
}

func normalizePorts(ports []string) []string {
	out := make([]string, len(ports))
	for i, p := range ports {
		if !strings.Contains(p, "/") {
			p += "/tcp"
		}
		out[i] = p
	}
	return out
}

var (
	imageOnce    sync.Once
	imageBuild   string // the build stage's filesystem: /out and the CA file
	imageErr     error
	imageVersion = "v0.0.0-dockertest"
	// imagePassword is the first admin's, as AUDIT_ADMIN_PASSWORD.
	imagePassword = "image-Admin-77"
)

// buildStage runs the Dockerfile's build stage commands on this machine,
// once: the same shell commands and flags, in a copy of the build context
// as .dockerignore leaves it (the stage's /src, after COPY . .), with the
// stage's /out moved to a temporary folder. The build image is Debian's
// golang, like this machine, so the CA file is taken from here.
func buildStage(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("AUDIT_TEST_REQUIRE") == "1" {
			t.Fatal("the image tests run as root (chown, the image's user) and AUDIT_TEST_REQUIRE=1")
		}
		t.Skip("missing test input: root, to chown to the image's user and run as it (scripts/test.sh runs as root in CI)")
	}
	d := parseDockerfile(t)
	imageOnce.Do(func() {
		// Beside the test binary, so that TestMain removes it.
		root, err := os.MkdirTemp(filepath.Dir(binary), "image-build-")
		if err != nil {
			imageErr = err
			return
		}
		imageBuild = root
		src := filepath.Join(root, "src")
		if imageErr = copyContext(repoRoot, src); imageErr != nil {
			return
		}
		env := os.Environ()
		for k, v := range d.buildArgs {
			if k == "VERSION" {
				v = imageVersion // as --build-arg VERSION=...
			}
			env = append(env, k+"="+v)
		}
		for _, run := range d.buildRuns {
			cmd := exec.Command("sh", "-c", strings.ReplaceAll(run, "/out/", root+"/out/"))
			cmd.Dir = src
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				imageErr = fmt.Errorf("RUN %s: %v\n%s", run, err, out)
				return
			}
		}
		const ca = "/etc/ssl/certs/ca-certificates.crt"
		imageErr = copyFile(ca, filepath.Join(root, ca), -1, -1)
	})
	require.NoError(t, imageErr)
	return imageBuild
}

// copyContext copies the build context from to dir, leaving out what
// .dockerignore names, read and matched by BuildKit's own code.
func copyContext(from, dir string) error {
	f, err := os.Open(filepath.Join(from, ".dockerignore"))
	if err != nil {
		return err
	}
	patterns, err := ignorefile.ReadAll(f)
	f.Close()
	if err != nil {
		return err
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return err
	}
	return filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil || rel == "." {
			return err
		}
		if ignored, err := pm.MatchesOrParentMatches(filepath.ToSlash(rel)); err != nil || ignored {
			if ignored && d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return err
		}
		if d.Type()&os.ModeSymlink != 0 || (!d.IsDir() && !d.Type().IsRegular()) {
			return nil
		}
		return copyFile(path, filepath.Join(dir, rel), -1, -1)
	})
}

// copyFile copies src to dst with src's mode, owned by uid:gid when
// those are not -1.
func copyFile(src, dst string, uid, gid int) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if fi.IsDir() {
		if err := os.MkdirAll(dst, fi.Mode().Perm()); err != nil {
			return err
		}
		if err := os.Chmod(dst, fi.Mode()&(os.ModePerm|os.ModeSticky)); err != nil {
			return err
		}
	} else {
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, fi.Mode().Perm()); err != nil {
			return err
		}
	}
	if uid == -1 {
		st := fi.Sys().(*syscall.Stat_t)
		uid, gid = int(st.Uid), int(st.Gid)
	}
	return os.Lchown(dst, uid, gid)
}

// rootfs lays out the runtime image as its COPY instructions do, from
// the build stage's filesystem.
func rootfs(t *testing.T, d dockerfile, build string) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.Chmod(root, 0o755))
	for _, c := range d.copies {
		require.Equal(t, "build", c.From, "the runtime image takes only what the build stage made")
		uid, gid := -1, -1
		if c.Chown != "" {
			u, g, _ := strings.Cut(c.Chown, ":")
			uid, _ = strconv.Atoi(u)
			gid, _ = strconv.Atoi(g)
		}
		for _, src := range c.SourcePaths {
			dst := c.DestPath
			if strings.HasSuffix(dst, "/") || len(c.SourcePaths) > 1 {
				dst = filepath.Join(dst, filepath.Base(src))
			}
			require.NoError(t, copyFile(filepath.Join(build, src), filepath.Join(root, dst), uid, gid), "COPY %s %s", src, dst)
		}
	}
	return root
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// The image built with the Dockerfile's own commands: a static binary,
// the flags it names, the version it links in.
func TestDockerfileBinary(t *testing.T) {
	build := buildStage(t)
	// It was built from the context .dockerignore leaves.
	for path, want := range map[string]bool{"go.mod": true, "cmd/auditd/main.go": true, "adapters/sqlstore/migrations": true, ".git": false, "docs": false, "Dockerfile": false, ".env.example": false} {
		_, err := os.Stat(filepath.Join(build, "src", path))
		assert.Equal(t, want, err == nil, "%s in the build context", path)
	}
	bin := filepath.Join(build, "out", "auditd")
	info, err := buildinfo.ReadFile(bin)
	require.NoError(t, err)
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	assert.Equal(t, "0", settings["CGO_ENABLED"])
	assert.Equal(t, "true", settings["-trimpath"])
	// The -X version is not in the build info (go omits -ldflags with
	// -trimpath); TestDockerImageRuns reads it from GET /config.

	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "static: no dynamic loader, as scratch has none")
	}
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	assert.Empty(t, libs)
}

// inImage runs a command in the image's filesystem (chroot) as the
// image's user, in its working directory, with its environment.
func inImage(t *testing.T, d dockerfile, root string, env []string, argv ...string) *exec.Cmd {
	uid, gid := d.uid(t)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = d.workdir
	cmd.Env = append(append([]string{}, d.env...), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root, Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	return cmd
}

// TestDockerImageRuns runs the binary the way the image does: in the
// image's filesystem (chroot), as its user, with its environment and
// /data volume, and probes it with the HEALTHCHECK command.
func TestDockerImageRuns(t *testing.T) {
	d := parseDockerfile(t)
	root := rootfs(t, d, buildStage(t))
	port := freePort(t)
	// The image's environment, with another port than 8000 (this machine
	// may serve on it), the first admin (a server on 0.0.0.0 with no
	// account refuses to start) and JSON logs for the test to read.
	extra := []string{"AUDIT_ADDR=0.0.0.0:" + port, "AUDIT_ADMIN_PASSWORD=" + imagePassword, "AUDIT_LOG_FORMAT=json"}
	server := inImage(t, d, root, extra, d.entrypoint...)
	var logs syncBuffer
	server.Stdout, server.Stderr = &logs, &logs
	require.NoError(t, server.Start())
	exited := make(chan struct{})
	go func() { _ = server.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = server.Process.Kill()
		<-exited
	})
	base := "http://127.0.0.1:" + port
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "no /healthz:\n%s", &logs)

	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", server.Process.Pid))
	require.NoError(t, err)
	uid, _ := d.uid(t)
	assert.Regexp(t, fmt.Sprintf(`(?m)^Uid:\t%d\t%d\t`, uid, uid), string(status), "runs as the image's user")

	client := signIn(t, base, "admin", imagePassword)
	resp, err := client.Post(base+"/analyze_call", "application/json", strings.NewReader(analyzeBody("docker-1")))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	db, err := os.Stat(filepath.Join(root, "data", "callaudit.db"))
	require.NoError(t, err, "history in the /data volume")
	assert.Equal(t, uid, db.Sys().(*syscall.Stat_t).Uid)

	code, cfg := getJSON(t, client, base+"/config")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, imageVersion, cfg["version"], "VERSION reaches the server through -ldflags")

	probe := func() (int, string) {
		var out bytes.Buffer
		cmd := inImage(t, d, root, extra, d.health[1:]...)
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), out.String()
	}
	code, out := probe()
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, `"status":"ok"`)

	require.NoError(t, server.Process.Signal(syscall.SIGTERM))
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("no stop:\n%s", &logs)
	}
	assert.Equal(t, 0, server.ProcessState.ExitCode(), logs.String())
	code, out = probe()
	assert.Equal(t, 1, code, "unhealthy once stopped: %s", out)
}

// TestPodmanImage builds the Dockerfile's runtime stage with podman (no
// image is pulled: FROM scratch, and the build stage is replaced by a
// build context holding what buildStage made) and runs it.
func TestPodmanImage(t *testing.T) {
	podman, err := exec.LookPath("podman")
	if err != nil {
		if os.Getenv("AUDIT_TEST_REQUIRE") == "1" {
			t.Fatal("podman is not installed and AUDIT_TEST_REQUIRE=1 (scripts/test.sh installs it)")
		}
		t.Skip("missing test input: podman is not installed (scripts/test.sh installs it with runc)")
	}
	build := buildStage(t)
	store := t.TempDir()
	// vfs storage and runc: this machine has no overlay mounts, and
	// crun refuses its cgroup setup; the ulimits stay under the hard
	// limits a process without CAP_SYS_RESOURCE may set.
	base := []string{"--storage-driver=vfs", "--root", filepath.Join(store, "root"), "--runroot", filepath.Join(store, "run"), "--runtime", "runc"}
	pm := func(args ...string) (string, error) {
		cmd := exec.Command(podman, append(append([]string{}, base...), args...)...)
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	t.Cleanup(func() {
		_, _ = pm("rm", "-af")
		_, _ = pm("rmi", "-af")
		// vfs layers belong to the image's uid; podman removes its store.
		_, _ = pm("system", "reset", "-f")
	})
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	tag := "localhost/callaudit-test:" + hex.EncodeToString(b)
	out, err := pm("build", "--format", "docker", "--pull=never", "--build-context", "build="+build, "--target", "runtime", "-t", tag, "-f", "Dockerfile", ".")
	require.NoError(t, err, out)

	out, err = pm("image", "inspect", tag)
	require.NoError(t, err, out)
	var images []struct {
		Config struct {
			User       string
			Env        []string
			Entrypoint []string
			WorkingDir string
			Volumes    map[string]any
		}
		Healthcheck struct{ Test []string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &images), out)
	require.Len(t, images, 1)
	image := images[0]
	cfg := image.Config
	d := parseDockerfile(t)
	assert.Equal(t, d.user, cfg.User)
	assert.Equal(t, d.entrypoint, cfg.Entrypoint)
	assert.Equal(t, "/data", cfg.WorkingDir)
	assert.Contains(t, cfg.Volumes, "/data")
	assert.Equal(t, d.health, image.Healthcheck.Test)
	for _, kv := range d.env {
		assert.Contains(t, cfg.Env, kv)
	}

	port := freePort(t)
	name := "callaudit-test-" + hex.EncodeToString(b)
	out, err = pm("run", "-d", "--name", name, "--network=host", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
		"-e", "AUDIT_ADDR=0.0.0.0:"+port, "-e", "AUDIT_ADMIN_PASSWORD="+imagePassword, tag)
	require.NoError(t, err, out)
	url := "http://127.0.0.1:" + port
	require.Eventually(t, func() bool {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "the container does not answer")
	client := signIn(t, url, "admin", imagePassword)
	resp, err := client.Post(url+"/analyze_call", "application/json", strings.NewReader(analyzeBody("podman-1")))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	out, err = pm("healthcheck", "run", name)
	assert.NoError(t, err, "HEALTHCHECK: %s", out)
	out, err = pm("top", name, "huser")
	require.NoError(t, err, out)
	uid, _ := d.uid(t)
	assert.Contains(t, out, strconv.Itoa(int(uid)), "runs as the image's user")
	out, err = pm("exec", name, "/auditd", "healthcheck", "-ready")
	assert.NoError(t, err, out)
	logs, _ := pm("logs", name)
	out, err = pm("stop", "-t", "30", name)
	require.NoError(t, err, out)
	out, err = pm("inspect", "--format", "{{.State.ExitCode}}", name)
	require.NoError(t, err, out)
	assert.Equal(t, "0", out, "a clean stop on SIGTERM:\n%s", logs)
}
