package daemon_test

import (
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/daemon"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{
		{-1, 5 * time.Second},
		{0, 5 * time.Second},
		{1, 5 * time.Second},
		{2, 10 * time.Second},
		{3, 20 * time.Second},
		{4, 40 * time.Second},
		{5, 80 * time.Second},
		{6, 160 * time.Second},
		{7, 320 * time.Second},
		{8, 10 * time.Minute}, // 640 s, capped
		{9, 10 * time.Minute},
		{1 << 30, 10 * time.Minute},
	} {
		if got := daemon.Backoff(tc.n); got != tc.want {
			t.Errorf("Backoff(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}
