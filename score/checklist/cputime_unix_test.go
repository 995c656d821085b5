//go:build unix

package checklist_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used. Benchmarks report it
// beside wall time because the machines they run on are often shared.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
