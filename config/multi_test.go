package config

import (
	"strings"
	"testing"
	"time"
)

func TestDeviceConflictRemotePoll(t *testing.T) {
	base := "pairs:\n  - {name: p, local: /tmp/x, bucket: bkt, direction: both}\n"
	c, err := Parse(strings.NewReader(base), "", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Device != DefaultDevice() || !deviceName.MatchString(c.Device) {
		t.Errorf("default device = %q, want the host name %q", c.Device, DefaultDevice())
	}
	if p := c.Pairs[0]; p.Conflict != "keep-both" || p.RemotePoll.D() != 30*time.Second {
		t.Errorf("defaults: conflict %q remote_poll %s", p.Conflict, p.RemotePoll.D())
	}
	c, err = Parse(strings.NewReader("device: laptop-2\n"+strings.Replace(base, "both}", "both, conflict: newer, remote_poll: 5s}", 1)), "", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Pairs[0]; c.Device != "laptop-2" || p.Conflict != "newer" || p.RemotePoll.D() != 5*time.Second {
		t.Errorf("set: device %q conflict %q remote_poll %s", c.Device, p.Conflict, p.RemotePoll.D())
	}
	for _, tc := range []struct{ doc, want string }{
		{"device: my_laptop\n" + base, `device: "my_laptop"`},
		{"device: -x\n" + base, `device: "-x"`},
		{strings.Replace(base, "both}", "both, conflict: mine}", 1), `pairs[0] (p).conflict: "mine" is not one of keep-both, newer, local, remote`},
		{strings.Replace(base, "both}", "both, remote_poll: 100ms}", 1), `pairs[0] (p).remote_poll: 100ms is shorter than 1s`},
		{strings.Replace(base, "both}", "pull, journal: true}", 1), `pairs[0] (p).journal: a pull pair never writes to the bucket`},
	} {
		_, err := Parse(strings.NewReader(tc.doc), "", noEnv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.doc, err, tc.want)
		}
	}
}

func TestDefaultDeviceShape(t *testing.T) {
	if d := DefaultDevice(); !deviceName.MatchString(d) {
		t.Errorf("DefaultDevice() = %q, not a valid device name", d)
	}
}

func TestWritesJournal(t *testing.T) {
	for _, tc := range []struct {
		pair string
		want bool
	}{
		{"direction: both", true},
		{"direction: both, journal: false", true}, // the devices of a shared prefix need it
		{"direction: push", true},
		{"direction: push, journal: true", true},
		{"direction: push, journal: false", false},
		{"direction: pull", false},
	} {
		c, err := Parse(strings.NewReader("pairs:\n  - {name: p, local: /tmp/x, bucket: bkt, "+tc.pair+"}\n"), "", noEnv)
		if err != nil {
			t.Fatalf("%s: %v", tc.pair, err)
		}
		if got := c.Pairs[0].WritesJournal(); got != tc.want {
			t.Errorf("%s: WritesJournal = %v, want %v", tc.pair, got, tc.want)
		}
	}
}
