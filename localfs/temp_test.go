package localfs

import "testing"

func TestTempNames(t *testing.T) {
	for _, c := range []struct {
		name           string
		temp, reserved bool
	}{
		{TempPrefix + "123", true, true},
		{TempPrefix + "4294967295", true, true},
		{TempPrefix + "probe-k3j9-A\u00e9", true, true},
		{TempPrefix + "probe-", false, true},
		{TempPrefix, false, true},
		{TempPrefix + "notes", false, true},
		{TempPrefix + "12.txt", false, true},
		{TempPrefix + "12 ", false, true},
		{"x" + TempPrefix + "1", false, false},
		{"notes.txt", false, false},
		{".ks3sync-tmp", false, false},
	} {
		if got := IsTemp(c.name); got != c.temp {
			t.Errorf("IsTemp(%q) = %v, want %v", c.name, got, c.temp)
		}
		if got := IsReserved(c.name); got != c.reserved {
			t.Errorf("IsReserved(%q) = %v, want %v", c.name, got, c.reserved)
		}
	}
}
