package objmeta

import (
	"net/url"
	"time"
)

// Metadata names that ks3sync writes on a version it keeps in a pair's
// history (package history), besides the displaced object's own metadata,
// which the version carries unchanged.
const (
	// NameHistoryKey holds the key the version was displaced from,
	// percent-encoded as a URL path (RFC 3986: "/" kept, anything outside
	// the unreserved characters as %XX of its UTF-8 bytes), since metadata
	// values are ASCII.
	NameHistoryKey = "ks3sync-key"
	// NameHistoryWritten holds when the version was written: the displaced
	// object's LastModified, RFC 3339 in UTC.
	NameHistoryWritten = "ks3sync-written"
	// NameHistoryDisplaced holds when ks3sync displaced it, RFC 3339 in UTC
	// on the displacing device's clock.
	NameHistoryDisplaced = "ks3sync-displaced"
	// NameHistoryHost holds the name of the device that displaced it.
	NameHistoryHost = "ks3sync-host"
	// NameHistoryCause holds what displaced it: "replaced" (an upload or
	// a metadata refresh) or "deleted".
	NameHistoryCause = "ks3sync-cause"
)

// HistoryAttrs are the facts ks3sync records on a version it keeps. A zero
// field is unknown: it is not written, and a value that is absent or
// malformed reads as zero.
type HistoryAttrs struct {
	Key       string
	Written   time.Time
	Displaced time.Time
	Host      string
	Cause     string
}

// Metadata returns the entries that record h, keyed by name without the
// metadata prefix. The map is new; the caller may add to it.
func (h HistoryAttrs) Metadata() map[string]string {
	m := make(map[string]string, 5)
	set := func(name, v string) {
		if v != "" {
			m[name] = v
		}
	}
	set(NameHistoryKey, (&url.URL{Path: h.Key}).EscapedPath())
	set(NameHistoryWritten, formatTime(h.Written))
	set(NameHistoryDisplaced, formatTime(h.Displaced))
	set(NameHistoryHost, h.Host)
	set(NameHistoryCause, h.Cause)
	return m
}

// ReadHistory returns what a kept version's metadata records.
func ReadHistory(meta map[string]string) HistoryAttrs {
	h := HistoryAttrs{Host: meta[NameHistoryHost], Cause: meta[NameHistoryCause]}
	if k, err := url.PathUnescape(meta[NameHistoryKey]); err == nil {
		h.Key = k
	}
	h.Written = parseTime(meta[NameHistoryWritten])
	h.Displaced = parseTime(meta[NameHistoryDisplaced])
	return h
}

// formatTime writes t in RFC 3339 with as many fraction digits as it has,
// in UTC; the zero time is "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// parseTime reads formatTime's output; anything else is the zero time.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
