package service

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden service files in testdata")

// The service files are golden: the systemd unit, the launchd plist, the
// SysV init script and the Windows service definition, for a system and a
// per-user service, with paths that need quoting. Refresh them with
// go test ./service -run Golden -update, and review the diff.
func TestGoldenServiceFiles(t *testing.T) {
	system := Definition{
		Name: "ks3sync", Description: "ks3sync (ks3sync): keeps folders in sync with KS3 object storage",
		Executable: "/usr/local/bin/ks3sync", ConfigFile: "/etc/ks3sync/ks3sync.yaml",
		EnvFile: "/etc/ks3sync/ks3sync.env", LogFile: "/var/log/ks3sync.log",
	}
	user := Definition{
		Name: "ks3sync-photos", Description: "ks3sync (ks3sync-photos): keeps folders in sync with KS3 object storage",
		Executable: "/Users/ann/bin/ks3sync", ConfigFile: "/Users/ann/Library/Application Support/ks3sync/photos & more.yaml",
		EnvFile: "/Users/ann/Library/Application Support/ks3sync/ks3sync-photos.env", LogFile: "/Users/ann/Library/Logs/ks3sync/ks3sync-photos.log",
		User: true,
	}
	windows := Definition{
		Name: "ks3sync", Description: system.Description,
		Executable: `C:\Program Files\ks3sync\ks3sync.exe`, ConfigFile: `C:\ProgramData\ks3sync\ks3sync.yaml`,
		EnvFile: `C:\ProgramData\ks3sync\ks3sync.env`, LogFile: `C:\ProgramData\ks3sync\ks3sync.log`,
	}
	for _, tc := range []struct {
		file, kind string
		def        Definition
	}{
		{"ks3sync.service", Systemd, system},
		{"ks3sync-photos.user.service", Systemd, user},
		{"ks3sync.plist", Launchd, system},
		{"ks3sync-photos.agent.plist", Launchd, user},
		{"ks3sync.init", SysV, system},
		{"ks3sync.windows.txt", Windows, windows},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := Render(tc.kind, tc.def)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the golden file; got:\n%s", tc.file, got)
			}
		})
	}
	script, err := Render(SysV, system)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("sh", "-n", "-c", script).CombinedOutput(); err != nil {
		t.Errorf("the init script is not valid shell: %v\n%s", err, out)
	}
	if _, err := Render("upstart", system); err == nil {
		t.Error("an unknown kind rendered")
	}
}
