package sqlitex

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd ?#% name.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Fatalf("journal_mode = %q, want wal", mode)
	}
	if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not created at the exact path: %v", err)
	}
}

func TestOpenForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-a-db")
	if err := os.WriteFile(path, []byte(strings.Repeat("this is not sqlite\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err == nil {
		// Some drivers only notice on the first real query.
		_, err = db.Exec("SELECT * FROM sqlite_master")
		db.Close()
	}
	if err == nil {
		t.Fatal("opening a foreign file succeeded")
	}
	if !strings.Contains(err.Error(), "not-a-db") && !strings.Contains(err.Error(), "not a database") {
		t.Fatalf("error %q names neither the file nor the cause", err)
	}
}
