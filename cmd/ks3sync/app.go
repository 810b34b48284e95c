package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/progress"
	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/tool"
	"github.com/ks3sync/ks3sync/config"
	"github.com/ks3sync/ks3sync/internal/buildinfo"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server"
	svc "github.com/ks3sync/ks3sync/service"
)

// The embedded store (endpoint local:DIR) accepts this key pair when no
// credentials are configured. It only ever listens on loopback, for the
// lifetime of one command.
const (
	localAccessKey = "AKLTLOCALSTORE000001"
	localSecretKey = "local-store-secret-not-a-real-credential"
)

// app is what every command shares: flags, the configuration, the logger
// and the resources to release when the command ends.
type app struct {
	flags globalFlags
	// bandwidthFlag is a command's --bandwidth, applied over the config.
	bandwidthFlag string
	// adHocCommand is, for `sync SRC DST`, the command line that reruns
	// the pass (see runCommand).
	adHocCommand string
	cfg          *config.Config
	log          zerolog.Logger
	logFile      *os.File
	closers      []func()
	local        *ks3server.Running
}

// init loads the configuration (when there is one) and sets up logging.
// Commands that need pairs check for them themselves.
func (a *app) init(cmd *cobra.Command) error {
	if a.flags.envFile != "" {
		if err := svc.LoadEnvFile(a.flags.envFile); err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Err: err}
		}
	}
	if f := cmd.Flags().Lookup("bandwidth"); f != nil && f.Changed {
		a.bandwidthFlag = f.Value.String()
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return &cli.ExitError{Code: cli.ExitUsage, Err: err}
	}
	a.cfg = cfg
	if err := a.applyOverrides(); err != nil {
		return &cli.ExitError{Code: cli.ExitUsage, Err: err}
	}
	if err := a.setupLogger(cmd.ErrOrStderr()); err != nil {
		return err
	}
	for _, w := range cfg.Warnings() {
		a.log.Warn().Str("config", cfg.Path()).Msg(w)
	}
	return nil
}

func (a *app) loadConfig() (*config.Config, error) {
	if a.flags.config != "" {
		return config.Load(a.flags.config)
	}
	for _, p := range config.DefaultPaths() {
		if _, err := os.Stat(p); err == nil {
			return config.Load(p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read config: %w", err)
		}
	}
	return config.Parse(strings.NewReader(""), "", os.LookupEnv)
}

// applyOverrides applies flags, then environment credentials, over the file.
func (a *app) applyOverrides() error {
	c := a.cfg
	if a.flags.endpoint != "" {
		over, err := config.Parse(strings.NewReader(""), "", os.LookupEnv)
		if err != nil {
			return err
		}
		over.Endpoint = a.flags.endpoint
		if err := config.ResolveEndpoint(over); err != nil {
			return err
		}
		c.Endpoint = over.Endpoint
	}
	if v := a.flags.signature; v != "" {
		if v != "kss" && v != "v4" {
			return fmt.Errorf("--signature: %q is not one of kss, v4", v)
		}
		c.Signature = v
	}
	if a.flags.region != "" {
		c.Region = a.flags.region
	}
	c.AccessKey = firstNonEmpty(a.flags.accessKey, os.Getenv("KS3_ACCESS_KEY"), c.AccessKey)
	c.SecretKey = firstNonEmpty(a.flags.secretKey, os.Getenv("KS3_SECRET_KEY"), c.SecretKey)
	if a.flags.logLevel != "" {
		c.Log.Level = a.flags.logLevel
	}
	if a.flags.logFormat != "" {
		c.Log.Format = a.flags.logFormat
	}
	if a.bandwidthFlag != "" {
		bw, err := config.ParseSize(a.bandwidthFlag)
		if err != nil {
			return fmt.Errorf("--bandwidth: %w", err)
		}
		c.Bandwidth = bw
	}
	return nil
}

// setupLogger writes logs to stderr, in colour only on a terminal, and to
// log.file (never in colour) when one is set.
func (a *app) setupLogger(stderr io.Writer) error {
	level, err := zerolog.ParseLevel(a.cfg.Log.Level)
	if err != nil || a.cfg.Log.Level == "" {
		return usageError("log level %q is not one of trace, debug, info, warn, error", a.cfg.Log.Level)
	}
	format := a.cfg.Log.Format
	if format != "json" && format != "console" {
		return usageError("log format %q is not one of console, json", a.cfg.Log.Format)
	}
	w := logWriter(stderr, format, !progress.IsTerminal(stderr))
	if a.cfg.Log.File != "" {
		if err := os.MkdirAll(filepath.Dir(a.cfg.Log.File), 0o755); err != nil {
			return usageError("log.file: %v", err)
		}
		f, err := os.OpenFile(a.cfg.Log.File, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return usageError("log.file: %v", err)
		}
		a.logFile = f
		w = zerolog.MultiLevelWriter(w, logWriter(f, format, true))
	}
	a.log = zerolog.New(w).Level(level).With().Timestamp().Logger()
	return nil
}

// logWriter formats logs for w: JSON lines, or console lines with or
// without colour.
func logWriter(w io.Writer, format string, noColor bool) io.Writer {
	if format == "json" {
		return w
	}
	return zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly, NoColor: noColor}
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
	if a.logFile != nil {
		a.logFile.Close()
		a.logFile = nil
	}
}

var _ tool.Env = (*app)(nil)

// Client returns a KS3 client for the configured endpoint, for the tool
// commands: its transfers keep to the bandwidth setting. For local:DIR it
// first starts the embedded store on a loopback port; the store stops when
// the command ends.
func (a *app) Client(ctx context.Context) (*ks3.Client, error) {
	return a.client(ctx, true)
}

// client returns a KS3 client. With throttle, the transport keeps to the
// bandwidth setting (the sync engine has its own limiter). At log level
// trace every request is logged.
func (a *app) client(ctx context.Context, throttle bool) (*ks3.Client, error) {
	c := a.cfg
	var transport http.RoundTripper = ks3.DefaultTransport()
	if throttle && c.Bandwidth > 0 {
		transport = newThrottleTransport(transport, newLimiter(int64(c.Bandwidth)))
	}
	if a.log.GetLevel() <= zerolog.TraceLevel {
		transport = newTraceTransport(transport, a.log)
	}
	opts := ks3.Options{
		Transport:  transport,
		Endpoint:   c.Endpoint,
		Secure:     c.IsSecure(),
		Addressing: ks3.Addressing(c.Addressing),
		AccessKey:  c.AccessKey,
		SecretKey:  c.SecretKey,
		Region:     c.Region,
		UserAgent:  buildinfo.Get().UserAgent(),
		Timeouts: ks3.Timeouts{
			ResponseHeader: c.Timeouts.ResponseHeader.D(),
			Stall:          c.Timeouts.Stall.D(),
		},
		Retry:   ks3.RetryPolicy{Budget: c.Timeouts.Outage.D()},
		Breaker: ks3.BreakerPolicy{Window: c.Timeouts.Outage.D()},
	}
	if err := setSignature(&opts, c.Signature); err != nil {
		return nil, usageError("%v", err)
	}
	if dir := c.LocalStore(); dir != "" {
		running, err := a.startLocal(dir)
		if err != nil {
			return nil, err
		}
		opts.Endpoint = running.URL
		opts.Addressing = ks3.AddressingPath
		if opts.AccessKey == "" {
			opts.AccessKey, opts.SecretKey = localAccessKey, localSecretKey
		}
	} else if opts.AccessKey == "" && opts.SecretKey == "" && a.flags.endpoint != "" && loopbackEndpoint(opts.Endpoint) {
		// A ks3sync serve started without keys accepts the built-in
		// pair, on loopback only: a command pointed at it with
		// --endpoint needs nothing more. (A configured endpoint still
		// needs configured keys.)
		a.log.Debug().Str("endpoint", opts.Endpoint).Msg("no credentials: using the built-in pair of a local ks3sync serve")
		opts.AccessKey, opts.SecretKey = localAccessKey, localSecretKey
	} else if opts.AccessKey == "" || opts.SecretKey == "" {
		return nil, usageError("no credentials: set --access-key/--secret-key, KS3_ACCESS_KEY/KS3_SECRET_KEY, or access_key/secret_key in the config")
	}
	cl, err := ks3.New(opts)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return cl, nil
}

// Settings returns the transfer settings of the configuration.
func (a *app) Settings() tool.Settings {
	return tool.Settings{
		Transfers:          a.cfg.Transfers,
		PartSize:           int64(a.cfg.PartSize),
		MultipartThreshold: int64(a.cfg.MultipartThreshold),
		NameRules:          os.Getenv(nameRulesEnv),
	}
}

// nameRulesEnv names the environment variable that forces another system's
// file name rules ("windows", "darwin", "linux") instead of probing each
// local folder. It exists for tests, which check Windows names on Linux.
const nameRulesEnv = "KS3SYNC_NAME_RULES"

// startLocal starts the embedded store once per command.
func (a *app) startLocal(dir string) (*ks3server.Running, error) {
	if a.local != nil {
		return a.local, nil
	}
	ak, sk := a.cfg.AccessKey, a.cfg.SecretKey
	if ak == "" {
		ak, sk = localAccessKey, localSecretKey
	}
	running, err := ks3server.Start(ks3server.Options{
		Root:        dir,
		Credentials: map[string]string{ak: sk},
		Logger:      a.log, // the server scopes it as component=ks3server
	}, "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the embedded store in %s: %w", dir, err)
	}
	a.local = running
	a.closers = append(a.closers, func() { running.Close() })
	return running, nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// loopbackEndpoint reports whether endpoint (host, host:port or a URL)
// names this machine: localhost or a loopback address.
func loopbackEndpoint(endpoint string) bool {
	host := endpoint
	if _, rest, ok := strings.Cut(host, "://"); ok {
		host = rest
	}
	host, _, _ = strings.Cut(host, "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
