// Package config reads and validates ks3sync.yaml: strict YAML (an unknown or
// misspelt key is an error naming its line), ${VAR} expansion from the
// environment (an unset variable without a ${VAR:-default} is an error
// naming it and its line), defaults for every key, and validation errors
// that name the field; what is accepted but unwise comes back as Warnings. Relative paths in the file are resolved against the file's folder,
// so a service started from any working directory reads the same config.
package config

import (
	"time"
)

// Defaults for keys that are absent or zero.
const (
	DefaultTransfers          = 4
	DefaultMultipartThreshold = 64 << 20
	DefaultWatchDelay         = 2 * time.Second
	DefaultWatchMaxDelay      = 30 * time.Second
	DefaultWatchRescan        = time.Hour
	DefaultStaleUploads       = 7 * 24 * time.Hour
	DefaultNotifyAfter        = 3
	DefaultEndpoint           = "ks3-cn-beijing.ksyuncs.com"
	DefaultResponseHeader     = 60 * time.Second
	DefaultStall              = 60 * time.Second
	DefaultOutage             = 30 * time.Second
	// DefaultHistoryKeep is how long a pair keeps the versions it displaces
	// when its config does not say: every pair that writes to its bucket
	// keeps history unless told otherwise.
	DefaultHistoryKeep  = 30 * 24 * time.Hour
	DefaultMaxOverwrite = "50%"
	// DefaultRemotePoll is how often watch reads the change journal of a
	// pull or both pair.
	DefaultRemotePoll = 30 * time.Second
)

// Config is the whole of ks3sync.yaml after expansion, defaults and validation.
type Config struct {
	Endpoint           string   `yaml:"endpoint"`
	Secure             *bool    `yaml:"secure"`
	Addressing         string   `yaml:"addressing"`
	Signature          string   `yaml:"signature"`
	Region             string   `yaml:"region"`
	AccessKey          string   `yaml:"access_key"`
	SecretKey          string   `yaml:"secret_key"`
	State              string   `yaml:"state"`
	Log                Log      `yaml:"log"`
	Transfers          int      `yaml:"transfers"`
	MultipartThreshold Size     `yaml:"multipart_threshold"`
	PartSize           Size     `yaml:"part_size"`
	Bandwidth          Size     `yaml:"bandwidth"`
	HTTP               string   `yaml:"http"`
	Metrics            string   `yaml:"metrics"`    // the old name of http
	HTTPToken          string   `yaml:"http_token"` // authorises the status page's actions; "" = generated
	Notify             Notify   `yaml:"notify"`
	StaleUploads       Duration `yaml:"stale_uploads"`
	Timeouts           Timeouts `yaml:"timeouts"`
	// Device names this installation in conflict copies, history entries,
	// the change journal and status; "" = the host name.
	Device string `yaml:"device"`
	Pairs  []Pair `yaml:"pairs"`

	path     string   // the file this came from, "" for a reader
	warnings []string // accepted, but worth telling the user
}

// Timeouts bound how long ks3sync waits on the endpoint. A slow endpoint
// that keeps moving bytes is never cut off.
type Timeouts struct {
	// ResponseHeader is how long a request waits for the answer to begin.
	ResponseHeader Duration `yaml:"response_header"`
	// Stall is how long a transfer may go without moving a byte before it
	// is cancelled and retried.
	Stall Duration `yaml:"stall"`
	// Outage is how long an endpoint that fails every request is waited
	// for (failed connections are retried this long) before a pass stops
	// with an error that names it.
	Outage Duration `yaml:"outage"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
	File   string `yaml:"file"`
}

// Pair is one local folder kept in sync with one bucket prefix.
type Pair struct {
	Name           string     `yaml:"name"`
	Local          string     `yaml:"local"`
	Bucket         string     `yaml:"bucket"`
	Prefix         string     `yaml:"prefix"`
	Direction      string     `yaml:"direction"`
	Delete         string     `yaml:"delete"`
	MaxDelete      string     `yaml:"max_delete"`
	MaxOverwrite   string     `yaml:"max_overwrite"`
	History        History    `yaml:"history"`
	StorageClass   string     `yaml:"storage_class"`
	ACL            string     `yaml:"acl"`
	Encryption     Encryption `yaml:"encryption"`
	Include        []string   `yaml:"include"`
	Exclude        []string   `yaml:"exclude"`
	FollowSymlinks bool       `yaml:"follow_symlinks"`
	// KeepMode stores each file's Unix permission bits in its object's
	// metadata on upload and gives them back to the file on download.
	KeepMode bool `yaml:"keep_mode"`
	// KeepEmptyFolders syncs empty folders as zero-byte "folder/" marker
	// objects, the way the KS3 console shows folders.
	KeepEmptyFolders bool  `yaml:"keep_empty_folders"`
	Watch            Watch `yaml:"watch"`
	// RemotePoll is how often watch looks for changes other devices made
	// (pull and both pairs); 0 = DefaultRemotePoll.
	RemotePoll Duration `yaml:"remote_poll"`
	// Conflict says what a change made on both sides becomes: keep-both
	// (default), newer, local or remote.
	Conflict string `yaml:"conflict"`
	// Journal says whether a push pair writes the change journal, for
	// pull pairs on other devices to poll: on unless set to false (see
	// WritesJournal). Both pairs always write it; pull pairs never do.
	Journal *bool `yaml:"journal"`
}

// WritesJournal reports whether the pair appends the names it changes to
// the change journal of its prefix: both pairs always, push pairs unless
// journal: false, pull pairs never.
func (p Pair) WritesJournal() bool {
	switch p.Direction {
	case "both":
		return true
	case "pull":
		return false
	}
	return p.Journal == nil || *p.Journal
}

// Notify configures notifications of the daemon: a webhook and/or a
// command, called on a failure after AfterFailures failed passes in a row,
// on the recovery, on a guard refusal and on a conflict.
type Notify struct {
	Webhook       string   `yaml:"webhook"`
	Command       []string `yaml:"command"`
	AfterFailures int      `yaml:"after_failures"`
}

// Enabled reports whether any notification target is configured.
func (n Notify) Enabled() bool { return n.Webhook != "" || len(n.Command) > 0 }

// Encryption selects client-side encryption for a pair.
type Encryption struct {
	KeyFile string `yaml:"key_file"`
}

// History is a pair's version history: the versions ks3sync overwrites or
// deletes in the bucket are kept in the pair's history area for Keep after
// they were displaced, and the newest Versions of every file for as long as
// they are the newest. Keep and Versions both zero turn history off.
type History struct {
	// Keep is nil when absent, which means DefaultHistoryKeep.
	Keep     *Duration `yaml:"keep"`
	Versions int       `yaml:"versions"`
}

// On reports whether the pair keeps displaced versions.
func (h History) On() bool { return h.KeepFor() > 0 || h.Versions > 0 }

// KeepFor returns Keep after defaults.
func (h History) KeepFor() time.Duration {
	if h.Keep == nil {
		return DefaultHistoryKeep
	}
	return h.Keep.D()
}

// Watch tunes how the daemon follows a pair's local changes.
type Watch struct {
	Delay    Duration `yaml:"delay"`
	MaxDelay Duration `yaml:"max_delay"`
	Rescan   Duration `yaml:"rescan"`
}

// Path is the file the configuration was read from ("" when parsed from a reader).
func (c *Config) Path() string { return c.path }

// Warnings are what the configuration allows but the user should fix, such
// as a key file that others can read. Each names the file and the field.
func (c *Config) Warnings() []string { return c.warnings }

// Pair returns the pair with the given name.
func (c *Config) Pair(name string) (*Pair, bool) {
	for i := range c.Pairs {
		if c.Pairs[i].Name == name {
			return &c.Pairs[i], true
		}
	}
	return nil, false
}
