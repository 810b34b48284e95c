package state

import (
	"path/filepath"
	"testing"
)

// TestUpgradeFromEachVersion builds a database at every older schema
// version, with a checkpoint written the way that version could, and checks
// that Open upgrades it and keeps the data.
func TestUpgradeFromEachVersion(t *testing.T) {
	for v := 1; v < len(schema); v++ {
		path := filepath.Join(t.TempDir(), "state.db")
		if err := createPrivate(path); err != nil {
			t.Fatal(err)
		}
		raw, err := openSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := migrate(t.Context(), raw, schema[:v]); err != nil {
			t.Fatalf("build version %d: %v", v, err)
		}
		_, err = raw.Exec(`INSERT INTO uploads (upload_id, pair, path, bucket, object_key, size, mtime, inode, part_size, encrypted, iv, created)
			VALUES ('u1', 'p', 'big.bin', 'bkt', 'big.bin', 10, 20, 30, 5, 0, NULL, 40)`)
		if err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		raw.Close()

		db, err := Open(path)
		if err != nil {
			t.Fatalf("open version %d: %v", v, err)
		}
		got, err := db.UploadFor(t.Context(), "p", "big.bin")
		if err != nil || got == nil || got.Size != 10 || got.MTime != 20 || got.Inode != 30 {
			t.Fatalf("version %d: upload after upgrade = %+v, %v", v, got, err)
		}
		if got.CTime != 0 || got.MD5 != "" {
			t.Errorf("version %d: new columns not defaulted: %+v", v, got)
		}
		got.CTime, got.MD5 = 50, "0123456789abcdef0123456789abcdef"
		if err := db.SaveUpload(t.Context(), *got); err != nil {
			t.Fatal(err)
		}
		again, err := db.UploadFor(t.Context(), "p", "big.bin")
		if err != nil || again.CTime != 50 || again.MD5 != got.MD5 {
			t.Errorf("version %d: ctime/md5 do not round-trip: %+v, %v", v, again, err)
		}
		db.Close()
	}
}
