package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// resolveHTTP settles the listener of the status endpoints: http, or its
// old name metrics (not both). A port without a host listens on loopback
// only.
func (c *Config) resolveHTTP() error {
	field := "http"
	switch {
	case c.HTTP != "" && c.Metrics != "":
		return fmt.Errorf("http: %q and metrics: %q are the same setting; keep only http", c.HTTP, c.Metrics)
	case c.HTTP == "":
		c.HTTP, c.Metrics, field = c.Metrics, "", "metrics"
	}
	if c.HTTP == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(c.HTTP)
	if err != nil || port == "" {
		return fmt.Errorf("%s: %q is not host:port (for example 127.0.0.1:9101)", field, c.HTTP)
	}
	if host == "" {
		c.HTTP = net.JoinHostPort("127.0.0.1", port)
	}
	return nil
}

// MinHTTPTokenLen is the length an http_token must have at least.
const MinHTTPTokenLen = 16

// httpTokenChars are the characters an http_token may have: those of
// base64, URL-safe base64 and hex, which travel unescaped in a header and
// a URL fragment.
var httpTokenChars = regexp.MustCompile(`^[A-Za-z0-9._~+/=-]*$`)

// checkHTTPToken checks http_token; the value itself never appears in a
// message.
func (c *Config) checkHTTPToken() error {
	t := c.HTTPToken
	switch {
	case t == "":
		return nil
	case len(t) < MinHTTPTokenLen:
		return fmt.Errorf("http_token: %d characters is too short: use at least %d (for example the output of `openssl rand -hex 16`)", len(t), MinHTTPTokenLen)
	case !httpTokenChars.MatchString(t):
		return errors.New("http_token: use only letters, digits and the characters - . _ ~ + / =")
	}
	return nil
}

// HTTPLoopback reports whether the http address listens on loopback only:
// an address of 127.0.0.0/8 or ::1, or localhost.
func (c *Config) HTTPLoopback() bool {
	host, _, err := net.SplitHostPort(c.HTTP)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkNotify checks the notify section.
func (c *Config) checkNotify() error {
	n := c.Notify
	var errs []error
	if n.Webhook != "" {
		if u, err := url.Parse(n.Webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("notify.webhook: %q is not an http(s) URL", n.Webhook))
		}
	}
	if len(n.Command) > 0 && n.Command[0] == "" {
		errs = append(errs, errors.New("notify.command: the first element must name the program"))
	}
	if n.AfterFailures < 0 {
		errs = append(errs, fmt.Errorf("notify.after_failures: %d must not be negative", n.AfterFailures))
	}
	return errors.Join(errs...)
}
