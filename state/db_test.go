package state

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/ks3sync/ks3sync/internal/sqlitex"
)

func TestOpenCreatesPrivateParent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "state.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	for name, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got&^want != 0 {
			t.Errorf("%s: mode %v, want at most %v", name, got, want)
		}
	}
}

func TestOpenEmptyFileMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := schemaVersion(t.Context(), db.r, len(schema))
	if err != nil || v != len(schema) {
		t.Fatalf("schema version = %d, %v; want %d", v, err, len(schema))
	}
	var mode string
	if err := db.r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
}

// TestReopenCurrentVersion opens a database already at the newest version
// data stays and no migration runs again.
func TestReopenCurrentVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleBase("p", "x", 1)
	if err := db.PutBase(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, ok, err := db.GetBase(t.Context(), "p", "x")
	if err != nil || !ok || !sameBase(got, want) {
		t.Fatalf("after reopen: %+v, %v, %v", got, ok, err)
	}
	var n int
	if err := db.r.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(schema) {
		t.Fatalf("schema_migrations rows = %d, %v; want %d", n, err, len(schema))
	}
}

func TestOpenNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sqlitex.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)", len(schema)+1)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}

	_, err = Open(path)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
}

// TestOpenBadFile checks that a file that is not this program's database is
// refused with an error naming it, and is left untouched.
func TestOpenBadFile(t *testing.T) {
	tests := []struct {
		name    string
		make    func(t *testing.T, path string)
		foreign bool
	}{
		{"garbage", func(t *testing.T, path string) {
			writeFile(t, path, bytes.Repeat([]byte("not a database\n"), 500))
		}, false},
		{"foreign sqlite", func(t *testing.T, path string) {
			raw, err := sqlitex.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.Exec("CREATE TABLE notes (body TEXT)"); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"corrupt schema page", func(t *testing.T, path string) {
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Keep the 100-byte header, scramble the rest of page 1 (the schema).
			for i := 100; i < 4096 && i < len(b); i++ {
				b[i] = byte(i*7 + 3)
			}
			writeFile(t, path, b)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			tt.make(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			db, err := Open(path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			if tt.foreign != errors.Is(err, ErrForeign) {
				t.Errorf("errors.Is(%v, ErrForeign) = %v, want %v", err, !tt.foreign, tt.foreign)
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Error("a failed Open changed the file")
			}
		})
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentOpen opens a new file from several goroutines at once; each
// migration must be applied exactly once.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			db, err := Open(path)
			if err == nil {
				err = db.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	db := openAt(t, path)
	var n int
	if err := db.r.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(schema) {
		t.Fatalf("schema_migrations rows = %d, %v; want %d", n, err, len(schema))
	}
}

func openAt(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name     string
		fs       fstest.MapFS
		versions int
		wantErr  string
	}{
		{"ordered", fstest.MapFS{"m/0002_b.sql": file("B"), "m/0001_a.sql": file("A")}, 2, ""},
		{"gap", fstest.MapFS{"m/0001_a.sql": file("A"), "m/0003_c.sql": file("C")}, 0, "expected version 2"},
		{"not from one", fstest.MapFS{"m/0002_b.sql": file("B")}, 0, "expected version 1"},
		{"bad name", fstest.MapFS{"m/0001_a.sql": file("A"), "m/2_b.sql": file("B")}, 0, "bad file name"},
		{"duplicate", fstest.MapFS{"m/0001_a.sql": file("A"), "m/0001_b.sql": file("B")}, 0, "expected version 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.fs, "m")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(ms) != tt.versions {
				t.Fatalf("got %d migrations, %v", len(ms), err)
			}
			if ms[0].sql != "A" || ms[1].name != "b" {
				t.Fatalf("migrations out of order: %+v", ms)
			}
		})
	}
	if len(schema) == 0 || schema[0].name != "init" {
		t.Fatalf("embedded migrations: %+v", schema)
	}
}
