package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildServer compiles cmd/auditd into dir.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "auditd")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/callaudit/callaudit/cmd/auditd").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building auditd: %v\n%s", err, out)
	}
	return bin, nil
}

// server is a running auditd subprocess.
type server struct {
	cmd    *exec.Cmd
	base   string
	exited chan struct{}
}

// startServer runs bin in dir with the settings in env (KEY=VALUE) on a
// free loopback port and waits until it listens. Its log goes to logw.
func startServer(ctx context.Context, bin, dir string, env []string, logw io.Writer) (*server, error) {
	s := &server{exited: make(chan struct{})}
	s.cmd = exec.Command(bin)
	s.cmd.Dir = dir
	base := []string{"AUDIT_ADDR=127.0.0.1:0", "AUDIT_LOG_FORMAT=json"}
	for _, kv := range os.Environ() {
		// The developer's own settings must not change the measurement.
		if !strings.HasPrefix(kv, "AUDIT_") && !strings.HasPrefix(kv, "OPENAI_") {
			base = append(base, kv)
		}
	}
	s.cmd.Env = append(base, env...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			if logw != nil {
				fmt.Fprintf(logw, "%s\n", line)
			}
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" {
				select {
				case addr <- rec.Addr:
				default:
				}
			}
		}
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	select {
	case a := <-addr:
		s.base = "http://" + a
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("auditd exited before listening (run with -server-logs to see why)")
	case <-time.After(30 * time.Second):
		s.kill()
		return nil, fmt.Errorf("auditd did not start within 30s")
	case <-ctx.Done():
		s.kill()
		return nil, ctx.Err()
	}
}

// stop asks the server to shut down gracefully and waits.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(70 * time.Second):
		s.kill()
	}
}

func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// peakRSS returns the server's peak resident set size (VmHWM) in bytes.
func (s *server) peakRSS() (int64, error) {
	return procStatus(s.cmd.Process.Pid, "VmHWM")
}

// cpuTime returns the user plus system CPU time the server has used. It
// is read from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s, the
// value Linux uses on every common architecture).
func (s *server) cpuTime() (time.Duration, error) { return procCPU(s.cmd.Process.Pid) }

// procCPU returns the user plus system CPU time process pid has used.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b)[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parsing /proc stat")
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// procStatus reads a "kB" field of /proc/<pid>/status.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parsing %s: %w", field, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}
