package ks3

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Options configures a Client. Zero values mean defaults.
type Options struct {
	// Endpoint is "host[:port]", "http://host[:port]" or
	// "https://host[:port]", e.g. "ks3-cn-beijing.ksyuncs.com". A scheme
	// overrides Secure.
	Endpoint string
	// Secure selects https when Endpoint has no scheme.
	Secure bool
	// Addressing is "" (virtual host), AddressingVirtual, AddressingPath or
	// AddressingDomain. IP-address and localhost endpoints always use path
	// style, and so do bucket names that are not valid host-name labels.
	Addressing Addressing
	// AccessKey and SecretKey sign requests; both empty means anonymous
	// (unsigned) requests. SecurityToken is the STS token that goes with
	// temporary credentials.
	AccessKey, SecretKey, SecurityToken string
	// Signature selects the signing scheme: SignatureKSS ("kss", also the
	// meaning of "") or SignatureV4 ("v4", AWS Signature Version 4, for KS3
	// and any S3-compatible endpoint). With v4 the headers KS3 accepts in
	// both spellings are sent as x-amz-*, and Walk pages with
	// ListObjectsV2 continuation tokens.
	Signature string
	// Region is the region SigV4 signs for; "" means DefaultRegion
	// ("us-east-1"). KSS signatures do not use it.
	Region string
	// Transport carries the requests; nil means DefaultTransport(). A
	// wrapper (for tracing or throttling) should wrap DefaultTransport().
	Transport http.RoundTripper
	// Retry configures retries of failed requests.
	Retry RetryPolicy
	// Timeouts bound how long a request may go without progress.
	Timeouts Timeouts
	// Breaker configures the circuit breaker that stops sending requests
	// to an endpoint that has failed every one of them for a while.
	Breaker BreakerPolicy
	// Now returns the time for Date headers; nil means time.Now.
	Now func() time.Time
	// UserAgent is sent as User-Agent; "" means "ks3sync-ks3".
	UserAgent string
}

// Client is a KS3 client. It is safe for concurrent use.
type Client struct {
	ep        endpoint
	signer    signer // nil for anonymous requests
	http      *http.Client
	retry     RetryPolicy
	timeouts  Timeouts
	breaker   *breaker // nil when disabled
	now       func() time.Time
	userAgent string
	// listV2 makes Walk use ListObjectsV2, as S3 clients do (SigV4).
	listV2 bool
	// sleep waits between attempts; tests replace it to observe backoff.
	sleep func(ctx context.Context, d time.Duration) error
	// skew is the service's clock minus ours, in nanoseconds, learned from
	// a RequestTimeTooSkewed answer (see clock.go).
	skew atomic.Int64
}

const defaultUserAgent = "ks3sync-ks3"

// New validates opts and returns a Client. Errors name the offending field.
func New(opts Options) (*Client, error) {
	if !validAddressing(opts.Addressing) {
		return nil, fmt.Errorf("ks3 options: Addressing %q is not virtual, path or domain", opts.Addressing)
	}
	ep, err := parseEndpoint(opts.Endpoint, opts.Secure, opts.Addressing)
	if err != nil {
		return nil, fmt.Errorf("ks3 options: Endpoint %q: %w", opts.Endpoint, err)
	}
	retry, err := opts.Retry.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("ks3 options: Retry.%w", err)
	}
	bp, err := opts.Breaker.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("ks3 options: %w", err)
	}
	s, err := newSigner(opts)
	if err != nil {
		return nil, fmt.Errorf("ks3 options: %w", err)
	}
	c := &Client{
		ep:        ep,
		signer:    s,
		retry:     retry,
		timeouts:  opts.Timeouts.withDefaults(),
		breaker:   newBreaker(bp, ep.scheme+"://"+ep.host),
		now:       opts.Now,
		userAgent: opts.UserAgent,
		listV2:    opts.Signature == SignatureV4,
		sleep:     sleepContext,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	transport := opts.Transport
	if transport == nil {
		transport = DefaultTransport()
	}
	c.http = &http.Client{
		Transport: transport,
		// A redirect would need a new signature for another host; surface
		// it as an error instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// Signing schemes of Options.Signature.
const (
	SignatureKSS = "kss"
	SignatureV4  = "v4"
)

// newSigner returns the signer that opts select for its credentials, or nil
// for anonymous access.
func newSigner(opts Options) (signer, error) {
	if opts.Signature != "" && opts.Signature != SignatureKSS && opts.Signature != SignatureV4 {
		return nil, fmt.Errorf("unknown Signature %q (want %q or %q)", opts.Signature, SignatureKSS, SignatureV4)
	}
	switch {
	case opts.AccessKey == "" && opts.SecretKey == "":
		if opts.SecurityToken != "" {
			return nil, errors.New("SecurityToken is set without AccessKey and SecretKey")
		}
		return nil, nil
	case opts.AccessKey == "":
		return nil, errors.New("AccessKey is empty but SecretKey is set")
	case opts.SecretKey == "":
		return nil, errors.New("SecretKey is empty but AccessKey is set")
	}
	if opts.Signature == SignatureV4 {
		region := opts.Region
		if region == "" {
			region = DefaultRegion
		}
		return v4Signer{accessKey: opts.AccessKey, secretKey: opts.SecretKey, securityToken: opts.SecurityToken, region: region}, nil
	}
	return kssSigner{accessKey: opts.AccessKey, secretKey: opts.SecretKey, securityToken: opts.SecurityToken}, nil
}

// DefaultTransport returns a new transport tuned for many parallel requests
// to one endpoint, with keep-alives and up to 128 idle connections per host.
// It never asks for compressed responses, so object bytes arrive as stored.
func DefaultTransport() *http.Transport {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        64 << 10,
	}
}
