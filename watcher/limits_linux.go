package watcher

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

const (
	maxUserWatches  = "fs.inotify.max_user_watches"
	maxQueuedEvents = "fs.inotify.max_queued_events"
)

// isWatchLimit reports whether err from adding a watch means the per-user
// inotify watch limit is used up (inotify_add_watch fails with ENOSPC).
func isWatchLimit(err error) bool { return errors.Is(err, syscall.ENOSPC) }

// watchLimitHint names the watch limit, its value and how to raise it.
func watchLimitHint() string { return sysctlHint(maxUserWatches, 524288) }

// overflowHint names the event queue limit, its value and how to raise it.
func overflowHint() string { return sysctlHint(maxQueuedEvents, 65536) }

// sysctlHint tells how to raise the inotify limit name, suggesting at least
// twice its current value and never less than floor.
func sysctlHint(name string, floor int) string {
	current, err := readSysctl(name)
	if err != nil {
		return fmt.Sprintf("the kernel limit %s was reached; raise it with: sudo sysctl -w %s=%d "+
			"(add the setting to /etc/sysctl.d/ to keep it after a reboot)", name, name, floor)
	}
	return fmt.Sprintf("the kernel limit %s (now %d) was reached; raise it with: sudo sysctl -w %s=%d "+
		"(add the setting to /etc/sysctl.d/ to keep it after a reboot)", name, current, name, max(2*current, floor))
}

func readSysctl(name string) (int, error) {
	b, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(name, ".", "/"))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}
