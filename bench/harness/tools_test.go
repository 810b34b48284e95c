package harness

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var testEnv = Env{Endpoint: "http://127.0.0.1:9", Cred: Credentials{AccessKey: "AK", SecretKey: "SK"}}

func testJob(t *testing.T, c Case, s Setting) Job {
	return Job{Case: c, Setting: s, Local: "/data/small", LargeFile: "/data/large/big.bin",
		Bucket: "bench", Prefix: "p/", Concurrency: 16, Scratch: t.TempDir()}
}

func TestKS3SyncCommand(t *testing.T) {
	tests := []struct {
		c         Case
		s         Setting
		want      []string
		wantNot   []string
		stateFile string
		keyFile   string
	}{
		{c: UploadSmall, s: Default, want: []string{"direction: push", "prefix: p/", "endpoint: http://127.0.0.1:9"}, wantNot: []string{"transfers:"}},
		{c: UploadSmall, s: Equal, want: []string{"transfers: 16", "direction: push"}},
		{c: DownloadSmall, s: Equal, want: []string{"direction: pull"}},
		{c: NoopRerun, s: Default, want: []string{"state: /keep/state.db"}, stateFile: "/keep/state.db"},
		{c: UploadLargeEncrypted, s: Equal, want: []string{"direction: push", "encryption: {key_file: /keep/bench.key}"}, keyFile: "/keep/bench.key"},
		{c: UploadLarge, s: Equal, wantNot: []string{"encryption"}},
	}
	for _, tt := range tests {
		j := testJob(t, tt.c, tt.s)
		j.StateDB, j.KeyFile = tt.stateFile, tt.keyFile
		argv, _, err := KS3Sync{Bin: "ks3sync"}.Command(testEnv, j)
		if err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(j.Scratch, "ks3sync.yaml")
		if want := []string{"ks3sync", "run", "--config", cfg, "--no-progress"}; !slices.Equal(argv, want) {
			t.Errorf("argv = %q, want %q", argv, want)
		}
		b, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s/%s: config lacks %q:\n%s", tt.c, tt.s, w, b)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(string(b), w) {
				t.Errorf("%s/%s: config has %q:\n%s", tt.c, tt.s, w, b)
			}
		}
	}
}

func TestKS3SyncConfigSignature(t *testing.T) {
	for _, sig := range []string{"", "v4"} {
		env := testEnv
		env.Signature = sig
		j := testJob(t, UploadSmall, Default)
		if _, _, err := (KS3Sync{Bin: "ks3sync"}).Command(env, j); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(j.Scratch, "ks3sync.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		has := strings.Contains(string(b), "signature: v4\n")
		if has != (sig == "v4") {
			t.Errorf("signature %q: config:\n%s", sig, b)
		}
	}
}

func TestRcloneCommand(t *testing.T) {
	tests := []struct {
		c    Case
		s    Setting
		want string
	}{
		{UploadSmall, Default, "env -u AWS_CA_BUNDLE rclone copy /data/small ks:bench/p"},
		{UploadSmall, Equal, "env -u AWS_CA_BUNDLE rclone copy /data/small ks:bench/p --transfers 16 --checkers 16"},
		{NoopRerun, SizeOnly, "env -u AWS_CA_BUNDLE rclone copy /data/small ks:bench/p --transfers 16 --checkers 16 --size-only"},
		{DownloadSmall, Default, "env -u AWS_CA_BUNDLE rclone copy ks:bench/p /data/small"},
	}
	for _, tt := range tests {
		argv, environ, err := Rclone{Bin: "rclone", Label: "rclone-v1.60"}.Command(testEnv, testJob(t, tt.c, tt.s))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(argv, " "); got != tt.want {
			t.Errorf("%s/%s: argv = %q, want %q", tt.c, tt.s, got, tt.want)
		}
		for _, w := range []string{"RCLONE_CONFIG_KS_ENDPOINT=http://127.0.0.1:9", "RCLONE_CONFIG_KS_FORCE_PATH_STYLE=true", "RCLONE_CONFIG_KS_ACCESS_KEY_ID=AK"} {
			if !slices.Contains(environ, w) {
				t.Errorf("environment lacks %q", w)
			}
		}
	}
}

func TestAWSCLICommand(t *testing.T) {
	tests := []struct {
		c      Case
		s      Setting
		want   string
		config string
	}{
		{UploadSmall, Default, "aws s3 sync /data/small s3://bench/p/", "addressing_style = path"},
		{UploadLarge, Equal, "aws s3 cp /data/large/big.bin s3://bench/p/big.bin", "max_concurrent_requests = 16"},
		{DownloadSmall, Default, "aws s3 sync s3://bench/p/ /data/small", "request_checksum_calculation = when_required"},
	}
	for _, tt := range tests {
		j := testJob(t, tt.c, tt.s)
		argv, environ, err := AWSCLI{Bin: "aws"}.Command(testEnv, j)
		if err != nil {
			t.Fatal(err)
		}
		want := tt.want + " --endpoint-url http://127.0.0.1:9 --only-show-errors"
		if got := strings.Join(argv, " "); got != want {
			t.Errorf("argv = %q, want %q", got, want)
		}
		b, err := os.ReadFile(filepath.Join(j.Scratch, "aws.config"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tt.config) {
			t.Errorf("config lacks %q:\n%s", tt.config, b)
		}
		if tt.s == Default && strings.Contains(string(b), "max_concurrent_requests") {
			t.Errorf("default config sets the concurrency:\n%s", b)
		}
		if !slices.Contains(environ, "AWS_SECRET_ACCESS_KEY=SK") {
			t.Errorf("environment lacks the secret: %q", environ)
		}
	}
}

func TestRunTimed(t *testing.T) {
	if _, err := os.Stat(TimeBin); err != nil {
		t.Skipf("%s not installed", TimeBin)
	}
	log := filepath.Join(t.TempDir(), "run.log")
	m, err := RunTimed(t.Context(), []string{"sh", "-c", "echo hello; echo $BENCH_X"}, []string{"BENCH_X=from-env"}, log)
	if err != nil {
		t.Fatal(err)
	}
	if m.Wall <= 0 || m.MaxRSSKiB <= 0 {
		t.Errorf("measure = %+v, want positive wall time and RSS", m)
	}
	if b, _ := os.ReadFile(log); string(b) != "hello\nfrom-env\n" {
		t.Errorf("log = %q", b)
	}
	_, err = RunTimed(t.Context(), []string{"sh", "-c", "echo broken >&2; exit 3"}, nil, log)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "broken") {
		t.Errorf("failing command: err = %v, want exit status 3 quoting the log", err)
	}
}
