package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Case names a timed piece of work.
type Case string

// The timed cases.
const (
	// UploadSmall uploads the small-file tree to an empty prefix.
	UploadSmall Case = "upload-small"
	// UploadLarge uploads the one large file to an empty prefix.
	UploadLarge Case = "upload-large"
	// NoopRerun syncs the many-file tree again with nothing changed.
	NoopRerun Case = "noop-rerun"
	// DownloadSmall downloads the small-file tree into an empty folder.
	DownloadSmall Case = "download-small"
	// UploadLargeEncrypted uploads the one large file with client-side
	// encryption in the KS3 SDK's format. Only ks3sync runs it (no peer
	// writes that format): its figure is a rate, set against the machine's
	// AES-CBC speed and the peers' plain upload of the same file.
	UploadLargeEncrypted Case = "upload-large-encrypted"
)

// Supports reports whether tool t runs case cs.
func Supports(t Tool, cs Case) bool {
	_, self := t.(KS3Sync)
	return self || cs != UploadLargeEncrypted
}

// Setting names how a tool is configured for a run.
type Setting string

// The settings every tool runs with, plus rclone's --size-only variant
// of the no-op case.
const (
	// Default is the tool's out-of-the-box concurrency.
	Default Setting = "default"
	// Equal sets every tool to the same concurrency (Job.Concurrency).
	Equal Setting = "equal"
	// SizeOnly is rclone at equal concurrency comparing sizes only.
	SizeOnly Setting = "size-only"
)

// Job is one run of one tool: what to move where.
type Job struct {
	Case    Case
	Setting Setting
	// Local is the local folder (source of uploads, target of downloads).
	Local string
	// LargeFile is the single file of UploadLarge, inside Local.
	LargeFile string
	// KeyFile, when set, is the encryption key ks3sync's pair uses.
	KeyFile string
	// Bucket and Prefix (ending in "/") name the remote side.
	Bucket, Prefix string
	// Concurrency is the transfers of the Equal setting.
	Concurrency int
	// Scratch is a folder the tool may use for its config and state.
	Scratch string
	// StateDB, when set, is the ks3sync state database to use (kept across
	// runs for the no-op case); otherwise a fresh one in Scratch.
	StateDB string
	// HTTP, when set, is the address (127.0.0.1:PORT) of the daemon's
	// status endpoints, /metrics among them (watch only).
	HTTP string
}

// Env is what every tool needs to reach the benchmark server.
type Env struct {
	// Server names the server in the report: ServerKS3Sync or
	// ServerVersityGW.
	Server   string
	Endpoint string
	Cred     Credentials
	// Signature is ks3sync's signing scheme for this server: "" (KSS) or
	// "v4" (AWS Signature Version 4, which a third-party S3 server needs).
	Signature string
	// ServerPID, when not 0, is the server's process, whose CPU time each
	// run then records.
	ServerPID int
}

// Tool turns a Job into a command line and its environment.
type Tool interface {
	// Name identifies the tool in the report.
	Name() string
	// Command returns argv and extra environment for j.
	Command(env Env, j Job) (argv, environ []string, err error)
}

// KS3Sync runs `ks3sync run` with a generated config.
type KS3Sync struct{ Bin string }

// Name implements Tool.
func (KS3Sync) Name() string { return "ks3sync" }

// Command implements Tool.
func (t KS3Sync) Command(env Env, j Job) ([]string, []string, error) {
	direction := "push"
	if j.Case == DownloadSmall {
		direction = "pull"
	}
	cfg, err := writeKS3SyncConfig(env, j, direction, "")
	if err != nil {
		return nil, nil, err
	}
	return []string{t.Bin, "run", "--config", cfg, "--no-progress"}, nil, nil
}

// writeKS3SyncConfig writes the config of j to Scratch and returns its path.
// watch, when set, is the pair's watch mapping.
func writeKS3SyncConfig(env Env, j Job, direction, watch string) (string, error) {
	state := j.StateDB
	if state == "" {
		state = filepath.Join(j.Scratch, "state.db")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "endpoint: %s\naccess_key: %q\nsecret_key: %q\nstate: %s\n",
		env.Endpoint, env.Cred.AccessKey, env.Cred.SecretKey, state)
	if env.Signature != "" {
		fmt.Fprintf(&b, "signature: %s\n", env.Signature)
	}
	if j.Setting != Default {
		fmt.Fprintf(&b, "transfers: %d\n", j.Concurrency)
	}
	if j.HTTP != "" {
		fmt.Fprintf(&b, "http: %s\n", j.HTTP)
	}
	fmt.Fprintf(&b, "pairs:\n  - name: bench\n    local: %s\n    bucket: %s\n    prefix: %s\n    direction: %s\n",
		j.Local, j.Bucket, j.Prefix, direction)
	if watch != "" {
		fmt.Fprintf(&b, "    watch: %s\n", watch)
	}
	if j.KeyFile != "" {
		fmt.Fprintf(&b, "    encryption: {key_file: %s}\n", j.KeyFile)
	}
	path := filepath.Join(j.Scratch, "ks3sync.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return "", fmt.Errorf("write ks3sync config: %w", err)
	}
	return path, nil
}

// Rclone runs `rclone copy` against an s3 remote named "ks" defined in the
// environment. Label tells versions apart in the report.
type Rclone struct{ Bin, Label string }

// Name implements Tool.
func (t Rclone) Name() string { return t.Label }

// Command implements Tool. rclone 1.60 refuses to start when AWS_CA_BUNDLE
// is set, so it runs without it (the server is plain http anyway).
func (t Rclone) Command(env Env, j Job) ([]string, []string, error) {
	remote := "ks:" + j.Bucket + "/" + strings.TrimSuffix(j.Prefix, "/")
	src, dst := j.Local, remote
	if j.Case == DownloadSmall {
		src, dst = remote, j.Local
	}
	argv := []string{"env", "-u", "AWS_CA_BUNDLE", t.Bin, "copy", src, dst}
	switch j.Setting {
	case Equal:
		argv = append(argv, "--transfers", fmt.Sprint(j.Concurrency), "--checkers", fmt.Sprint(j.Concurrency))
	case SizeOnly:
		argv = append(argv, "--transfers", fmt.Sprint(j.Concurrency), "--checkers", fmt.Sprint(j.Concurrency), "--size-only")
	}
	environ := []string{
		"RCLONE_CONFIG=" + filepath.Join(j.Scratch, "rclone.conf"),
		"RCLONE_CONFIG_KS_TYPE=s3",
		"RCLONE_CONFIG_KS_PROVIDER=Other",
		"RCLONE_CONFIG_KS_ENDPOINT=" + env.Endpoint,
		"RCLONE_CONFIG_KS_FORCE_PATH_STYLE=true",
		"RCLONE_CONFIG_KS_ACCESS_KEY_ID=" + env.Cred.AccessKey,
		"RCLONE_CONFIG_KS_SECRET_ACCESS_KEY=" + env.Cred.SecretKey,
	}
	return argv, environ, nil
}

// AWSCLI runs `aws s3 sync` (`aws s3 cp` for the single large file).
type AWSCLI struct{ Bin string }

// Name implements Tool.
func (AWSCLI) Name() string { return "aws" }

// Command implements Tool. The config file selects path-style addressing
// and, for Equal, max_concurrent_requests. Checksums are computed only when
// an operation requires them, so uploads are plain signed PUTs.
func (t AWSCLI) Command(env Env, j Job) ([]string, []string, error) {
	var b strings.Builder
	b.WriteString("[default]\nregion = us-east-1\nrequest_checksum_calculation = when_required\nresponse_checksum_validation = when_required\ns3 =\n  addressing_style = path\n")
	if j.Setting != Default {
		fmt.Fprintf(&b, "  max_concurrent_requests = %d\n", j.Concurrency)
	}
	cfg := filepath.Join(j.Scratch, "aws.config")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		return nil, nil, fmt.Errorf("write aws config: %w", err)
	}
	remote := "s3://" + j.Bucket + "/" + j.Prefix
	var argv []string
	switch j.Case {
	case UploadLarge:
		argv = []string{t.Bin, "s3", "cp", j.LargeFile, remote + filepath.Base(j.LargeFile)}
	case DownloadSmall:
		argv = []string{t.Bin, "s3", "sync", remote, j.Local}
	default:
		argv = []string{t.Bin, "s3", "sync", j.Local, remote}
	}
	argv = append(argv, "--endpoint-url", env.Endpoint, "--only-show-errors")
	environ := []string{
		"AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(j.Scratch, "aws.credentials"),
		"AWS_ACCESS_KEY_ID=" + env.Cred.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + env.Cred.SecretKey,
	}
	return argv, environ, nil
}
