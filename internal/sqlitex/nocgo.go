//go:build !cgo

package sqlitex

import (
	"fmt"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

const (
	driverName   = "sqlite"
	driverModule = "modernc.org/sqlite"
)

func dsn(path string) string {
	return fmt.Sprintf("file:%s?_pragma=journal_mode(WAL)&_pragma=busy_timeout(%d)&_txlock=immediate&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)",
		escapePath(path), BusyTimeout.Milliseconds())
}
