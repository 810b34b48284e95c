//go:build cgo

package sqlitex

import (
	"fmt"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

const (
	driverName   = "sqlite3"
	driverModule = "github.com/mattn/go-sqlite3"
)

func dsn(path string) string {
	return fmt.Sprintf("file:%s?_journal_mode=WAL&_busy_timeout=%d&_txlock=immediate&_synchronous=NORMAL&_foreign_keys=on",
		escapePath(path), BusyTimeout.Milliseconds())
}
