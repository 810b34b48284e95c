package ks3

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Addressing selects where the bucket name goes in a request URL. The
// signature always covers "/<bucket>/<key>", whatever the addressing.
type Addressing string

const (
	// AddressingVirtual puts the bucket in the host name:
	// http://<bucket>.<endpoint>/<key>. It is the default.
	AddressingVirtual Addressing = "virtual"
	// AddressingPath puts the bucket in the path: http://<endpoint>/<bucket>/<key>.
	AddressingPath Addressing = "path"
	// AddressingDomain addresses a custom domain bound to one bucket:
	// http://<endpoint>/<key>. The bucket is absent from the URL but still
	// signed.
	AddressingDomain Addressing = "domain"
)

// endpoint is a parsed Options.Endpoint.
type endpoint struct {
	scheme string // "http" or "https"
	host   string // host[:port], as given
	// pathOnly is set for IP-address and localhost endpoints, which cannot
	// carry a bucket sub-domain.
	pathOnly   bool
	addressing Addressing
}

// parseEndpoint validates raw ("host[:port]" or "http(s)://host[:port]").
// A scheme in raw overrides secure. addressing must already be valid.
func parseEndpoint(raw string, secure bool, addressing Addressing) (endpoint, error) {
	ep := endpoint{scheme: "http", addressing: addressing}
	if secure {
		ep.scheme = "https"
	}
	if ep.addressing == "" {
		ep.addressing = AddressingVirtual
	}
	host, err := splitEndpoint(raw, &ep.scheme)
	if err != nil {
		return endpoint{}, err
	}
	ep.host = host
	hostname := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		hostname = h
	}
	hostname = strings.Trim(hostname, "[]")
	ep.pathOnly = net.ParseIP(hostname) != nil || strings.EqualFold(hostname, "localhost")
	return ep, nil
}

// validAddressing reports whether a is one of the Addressing constants or "".
func validAddressing(a Addressing) bool {
	switch a {
	case "", AddressingVirtual, AddressingPath, AddressingDomain:
		return true
	}
	return false
}

// splitEndpoint returns the host[:port] of raw and sets *scheme when raw
// names one.
func splitEndpoint(raw string, scheme *string) (string, error) {
	if raw == "" {
		return "", errors.New("empty")
	}
	if !strings.Contains(raw, "://") {
		raw = *scheme + "://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("scheme %q is not http or https", u.Scheme)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", errors.New("want host[:port] with an optional http:// or https:// scheme")
	}
	if u.Hostname() == "" {
		return "", errors.New("no host")
	}
	*scheme = u.Scheme
	return u.Host, nil
}

// url returns the request URL for bucket and key (both may be empty) with
// the raw query rawQuery. The path is encoded as in encodeKey and kept
// verbatim on the wire through URL.RawPath.
func (ep endpoint) url(bucket, key, rawQuery string) *url.URL {
	u := &url.URL{Scheme: ep.scheme, Host: ep.host, RawQuery: rawQuery}
	path, raw := "/", "/"
	switch {
	case bucket == "":
	case ep.addressing == AddressingDomain:
	case ep.addressing == AddressingPath || ep.pathOnly || !dnsCompatible(bucket):
		path, raw = "/"+bucket+"/", "/"+bucket+"/"
	default:
		u.Host = bucket + "." + ep.host
	}
	u.Path, u.RawPath = path+key, raw+encodeKey(key)
	return u
}

// dnsCompatible reports whether bucket can be used as a host-name label:
// lower-case letters, digits and inner hyphens. Other names (KS3 also allows
// "_") fall back to path style, which signs identically.
func dnsCompatible(bucket string) bool {
	if bucket == "" || len(bucket) > 63 || bucket[0] == '-' || bucket[len(bucket)-1] == '-' {
		return false
	}
	for i := 0; i < len(bucket); i++ {
		c := bucket[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
