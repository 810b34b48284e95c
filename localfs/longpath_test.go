package localfs

import (
	"strings"
	"testing"
)

func TestExtendedPath(t *testing.T) {
	long := strings.Repeat(`\dir`, 70) // 280 characters
	tests := []struct{ in, want string }{
		{`C:\short\path`, `C:\short\path`},
		{`C:` + long, `\\?\C:` + long},
		{`d:` + long, `\\?\d:` + long},
		{`\\server\share` + long, `\\?\UNC\server\share` + long},
		{`\\?\C:` + long, `\\?\C:` + long}, // already extended
		{`\\.\pipe` + long, `\\.\pipe` + long},
		{`relative` + long, `relative` + long}, // the prefix needs an absolute path
		{`C:relative` + long, `C:relative` + long},
	}
	for _, tc := range tests {
		if got := extendedPath(tc.in); got != tc.want {
			t.Errorf("extendedPath(%.30q...) = %.40q..., want %.40q...", tc.in, got, tc.want)
		}
	}
}
