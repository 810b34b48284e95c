package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
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
