//go:build unix

package config

import (
	"fmt"
	"os"
	"strings"
)

// keyFileWarning says what is wrong with the permissions of an encryption
// key file that group or others may read or write, with the command that
// fixes it; "" when they are fine or the file cannot be inspected (loading
// it reports that).
func keyFileWarning(path string) string {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("%s is accessible to group or others (mode %04o); anyone who can read it can decrypt the pair's objects: run chmod 600 %s",
		path, fi.Mode().Perm(), shellQuote(path))
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// characters that need no quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:@%,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
