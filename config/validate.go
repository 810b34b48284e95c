package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/planner"
)

// LocalScheme prefixes an endpoint served by the embedded store:
// "local:DIR" starts ks3sync's own KS3-compatible server over DIR on a
// loopback port for the duration of the command.
const LocalScheme = "local:"

// LocalStore returns the embedded store's folder when the endpoint is
// "local:DIR", and "" otherwise.
func (c *Config) LocalStore() string {
	if dir, ok := strings.CutPrefix(c.Endpoint, LocalScheme); ok {
		return dir
	}
	return ""
}

// IsSecure reports whether requests use https (an explicit scheme in the
// endpoint wins over the secure key).
func (c *Config) IsSecure() bool {
	switch {
	case strings.HasPrefix(c.Endpoint, "https://"):
		return true
	case strings.HasPrefix(c.Endpoint, "http://"):
		return false
	case c.Secure != nil:
		return *c.Secure
	}
	return true
}

// finish applies defaults, resolves paths against base and validates.
func (c *Config) finish(base string) error {
	c.applyDefaults()
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(c.resolveEndpoint(base))
	add(oneOf("addressing", c.Addressing, "virtual", "path", "domain"))
	add(oneOf("signature", c.Signature, "kss", "v4"))
	add(oneOf("log.level", c.Log.Level, "trace", "debug", "info", "warn", "error"))
	add(oneOf("log.format", c.Log.Format, "console", "json"))
	add(c.checkTransfers())
	add(c.checkTimeouts())
	var err error
	c.State, err = resolvePath(base, c.State)
	add(wrapField("state", err))
	if c.Log.File != "" {
		c.Log.File, err = resolvePath(base, c.Log.File)
		add(wrapField("log.file", err))
	}
	add(c.resolveHTTP())
	add(c.checkHTTPToken())
	add(c.checkNotify())
	add(c.checkDevice())
	names := make(map[string]int)
	for i := range c.Pairs {
		p := &c.Pairs[i]
		field := fmt.Sprintf("pairs[%d]", i)
		if p.Name != "" {
			field = fmt.Sprintf("pairs[%d] (%s)", i, p.Name)
			if j, dup := names[p.Name]; dup {
				add(fmt.Errorf("%s.name: %q is also the name of pairs[%d]", field, p.Name, j))
			}
			names[p.Name] = i
		}
		add(p.finish(base, field, c.warn))
	}
	return errors.Join(errs...)
}

func (c *Config) applyDefaults() {
	setDefault(&c.Endpoint, DefaultEndpoint)
	setDefault(&c.Addressing, "virtual")
	setDefault(&c.Signature, "kss")
	setDefault(&c.Log.Level, "info")
	setDefault(&c.Log.Format, "console")
	setDefault(&c.State, DefaultStatePath())
	if c.Device == "" {
		c.Device = DefaultDevice()
	}
	if c.Transfers == 0 {
		c.Transfers = DefaultTransfers
	}
	if c.MultipartThreshold == 0 {
		c.MultipartThreshold = DefaultMultipartThreshold
	}
	if c.StaleUploads == 0 {
		c.StaleUploads = Duration(DefaultStaleUploads)
	}
	if c.Notify.AfterFailures == 0 {
		c.Notify.AfterFailures = DefaultNotifyAfter
	}
	setDuration(&c.Timeouts.ResponseHeader, DefaultResponseHeader)
	setDuration(&c.Timeouts.Stall, DefaultStall)
	setDuration(&c.Timeouts.Outage, DefaultOutage)
}

// warn records a warning about the configuration.
func (c *Config) warn(w string) { c.warnings = append(c.warnings, w) }

// minTimeout is the shortest timeout accepted: anything shorter would cut
// off healthy requests.
const minTimeout = time.Second

func (c *Config) checkTimeouts() error {
	var errs []error
	for _, t := range []struct {
		name string
		d    Duration
	}{
		{"timeouts.response_header", c.Timeouts.ResponseHeader},
		{"timeouts.stall", c.Timeouts.Stall},
		{"timeouts.outage", c.Timeouts.Outage},
	} {
		if t.d.D() < minTimeout {
			errs = append(errs, fmt.Errorf("%s: %s is shorter than %s", t.name, t.d.D(), minTimeout))
		}
	}
	return errors.Join(errs...)
}

func (c *Config) resolveEndpoint(base string) error {
	if dir, ok := strings.CutPrefix(c.Endpoint, LocalScheme); ok {
		if dir == "" {
			return errors.New(`endpoint: "local:" needs a folder, for example local:./.ks3sync/store`)
		}
		abs, err := resolvePath(base, dir)
		if err != nil {
			return wrapField("endpoint", err)
		}
		c.Endpoint = LocalScheme + abs
		return nil
	}
	return checkEndpoint(c.Endpoint)
}

// checkEndpoint validates host[:port] or http(s)://host[:port]: a host, and
// a port (when given) from 1 to 65535.
func checkEndpoint(ep string) error {
	bad := fmt.Errorf("endpoint: %q is not host[:port], http(s)://host[:port] or local:DIR", ep)
	raw := ep
	if !strings.Contains(raw, "://") {
		if strings.ContainsAny(raw, "/ ") {
			return bad
		}
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		if port, ok := badPort(raw); ok {
			return fmt.Errorf("endpoint: %q: port %q is not a number from 1 to 65535", ep, port)
		}
		return bad
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || (u.Path != "" && u.Path != "/") ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return bad
	}
	if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("endpoint: %q: the port after ':' is missing", ep)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("endpoint: %q: port %q is not a number from 1 to 65535", ep, port)
		}
	}
	return nil
}

// badPort returns the port of a URL that url.Parse refused for it.
func badPort(raw string) (string, bool) {
	_, rest, _ := strings.Cut(raw, "://")
	host, _, _ := strings.Cut(rest, "/")
	i := strings.LastIndexByte(host, ':')
	if i < 0 || strings.HasSuffix(host, "]") {
		return "", false
	}
	return host[i+1:], true
}

func (c *Config) checkTransfers() error {
	var errs []error
	if c.Transfers < 1 || c.Transfers > 256 {
		errs = append(errs, fmt.Errorf("transfers: %d is outside 1..256", c.Transfers))
	}
	const minPart, maxPart = 100 << 10, 5 << 30
	if c.MultipartThreshold < minPart || c.MultipartThreshold > maxPart {
		errs = append(errs, fmt.Errorf("multipart_threshold: %s is outside 100KiB..5GiB", c.MultipartThreshold))
	}
	if c.PartSize != 0 && (c.PartSize < minPart || c.PartSize > maxPart) {
		errs = append(errs, fmt.Errorf("part_size: %s is outside 100KiB..5GiB (or auto)", c.PartSize))
	}
	if c.Bandwidth < 0 {
		errs = append(errs, errors.New("bandwidth: must not be negative"))
	}
	return errors.Join(errs...)
}

var (
	pairName   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$`)
)

// StorageClasses lists the storage classes KS3 accepts.
var StorageClasses = []string{"STANDARD", "STANDARD_IA", "DEEP_IA", "ARCHIVE", "COLD_ARCHIVE", "DEEP_COLD_ARCHIVE"}

// CheckPair applies a pair's defaults and validates it as a pairs[] entry
// of a config file is, for a pair built from a command line rather than a
// file: relative paths are resolved against the working directory, errors
// start with field, and what is accepted but unwise goes to warn.
func CheckPair(p *Pair, field string, warn func(string)) error {
	return p.finish("", field, warn)
}

func (p *Pair) finish(base, field string, warn func(string)) error {
	setDefault(&p.Direction, "push")
	setDefault(&p.Delete, "keep")
	setDefault(&p.MaxDelete, "50%")
	setDefault(&p.MaxOverwrite, DefaultMaxOverwrite)
	setDefault(&p.StorageClass, "STANDARD")
	setDefault(&p.Conflict, "keep-both")
	if p.RemotePoll == 0 {
		p.RemotePoll = Duration(DefaultRemotePoll)
	}
	if p.Watch.Delay == 0 {
		p.Watch.Delay = Duration(DefaultWatchDelay)
	}
	if p.Watch.MaxDelay == 0 {
		p.Watch.MaxDelay = Duration(DefaultWatchMaxDelay)
	}
	if p.Watch.Rescan == 0 {
		p.Watch.Rescan = Duration(DefaultWatchRescan)
	}
	if p.Prefix != "" && !strings.HasSuffix(p.Prefix, "/") {
		p.Prefix += "/"
	}
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.%w", field, err))
		}
	}
	if !pairName.MatchString(p.Name) {
		add(fmt.Errorf("name: %q must be letters, digits, '.', '_' or '-'", p.Name))
	}
	if p.Local == "" {
		add(errors.New("local: a folder is required"))
	} else {
		var err error
		p.Local, err = resolvePath(base, p.Local)
		add(wrapField("local", err))
	}
	if !bucketName.MatchString(p.Bucket) {
		add(fmt.Errorf("bucket: %q is not a bucket name (3-63 characters: a-z, 0-9, '-', '_', '.')", p.Bucket))
	}
	if strings.HasPrefix(p.Prefix, "/") {
		add(fmt.Errorf("prefix: %q must not start with '/'", p.Prefix))
	}
	add(oneOf("direction", p.Direction, "push", "pull", "both"))
	add(oneOf("delete", p.Delete, "keep", "propagate"))
	add(oneOf("conflict", p.Conflict, "keep-both", "newer", "local", "remote"))
	if p.Journal != nil && *p.Journal && p.Direction == "pull" {
		add(errors.New("journal: a pull pair never writes to the bucket; set it on the pairs that push"))
	}
	if p.RemotePoll.D() < time.Second {
		add(fmt.Errorf("remote_poll: %s is shorter than 1s", p.RemotePoll.D()))
	}
	if _, err := planner.ParseMaxDelete(p.MaxDelete); err != nil {
		add(wrapField("max_delete", err))
	}
	if _, err := planner.ParseMaxOverwrite(p.MaxOverwrite); err != nil {
		add(wrapField("max_overwrite", err))
	}
	if p.History.Versions < 0 {
		add(fmt.Errorf("history.versions: %d is negative", p.History.Versions))
	}
	add(oneOf("storage_class", p.StorageClass, StorageClasses...))
	if p.ACL != "" {
		add(oneOf("acl", p.ACL, "private", "public-read", "public-read-write"))
	}
	if _, err := planner.NewMatcher(p.Include, p.Exclude); err != nil {
		add(wrapField("include/exclude", err))
	}
	if p.Encryption.KeyFile != "" {
		var err error
		p.Encryption.KeyFile, err = resolvePath(base, p.Encryption.KeyFile)
		add(wrapField("encryption.key_file", err))
		if w := keyFileWarning(p.Encryption.KeyFile); err == nil && w != "" {
			warn(field + ".encryption.key_file: " + w)
		}
	}
	if p.Watch.MaxDelay < p.Watch.Delay {
		add(fmt.Errorf("watch.max_delay: %s is shorter than watch.delay %s", p.Watch.MaxDelay.D(), p.Watch.Delay.D()))
	}
	return errors.Join(errs...)
}

func oneOf(field, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return fmt.Errorf("%s: %q is not one of %s", field, value, strings.Join(allowed, ", "))
}

func wrapField(field string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", field, err)
}

func setDuration(d *Duration, def time.Duration) {
	if *d == 0 {
		*d = Duration(def)
	}
}

func setDefault(s *string, def string) {
	if *s == "" {
		*s = def
	}
}

// resolvePath expands a leading ~ and makes p absolute against base.
func resolvePath(base, p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("expand %q: %w", p, err)
		}
		p = filepath.Join(home, p[1:])
	}
	if !filepath.IsAbs(p) {
		if base == "" {
			wd, err := os.Getwd()
			if err != nil {
				return "", err
			}
			base = wd
		}
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p), nil
}

// DefaultStatePath is where the state database lives when the config does
// not say: the per-user state folder of the platform.
func DefaultStatePath() string {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	switch runtime.GOOS {
	case "windows":
		if dir := os.Getenv("LOCALAPPDATA"); dir != "" {
			return filepath.Join(dir, "ks3sync", "state.db")
		}
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", "ks3sync", "state.db")
	}
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" {
		return filepath.Join(dir, "ks3sync", "state.db")
	}
	return filepath.Join(home, ".local", "state", "ks3sync", "state.db")
}

// DefaultPaths lists where a config is looked for when --config is not
// given: ks3sync.yaml in the working directory, then the per-user config
// folder.
func DefaultPaths() []string {
	paths := []string{"ks3sync.yaml"}
	if dir, err := os.UserConfigDir(); err == nil {
		paths = append(paths, filepath.Join(dir, "ks3sync", "ks3sync.yaml"))
	}
	return paths
}

// ResolveEndpoint checks c.Endpoint and makes a local:DIR endpoint absolute
// against the working directory (used for the --endpoint flag).
func ResolveEndpoint(c *Config) error { return c.resolveEndpoint("") }
