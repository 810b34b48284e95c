// Package ks3server is a KS3-compatible object storage server over a local
// directory. It backs `ks3sync serve`, the embedded local store, and every
// end-to-end test.
//
// Object bytes are stored in files named by random ids, never derived from
// keys, and metadata in SQLite, so any key works: "a//b", "/lead", unicode,
// a key that is also a prefix of others, 1024-byte keys. Writes are atomic
// and survive a crash at any point without leaving a partial object visible.
//
// Requests are verified the way KS3 verifies them: KSS header signatures and
// presigned URLs against the raw request path (and the AWS signature
// versions 2 and 4 that KS3 also accepts, for S3 tools), Date skew,
// Content-MD5, and ACLs for anonymous requests. Answers, errors included,
// have KS3's shapes, down to the quirks the official SDKs depend on
// (ns2-prefixed ListParts, lower-case x-kss-meta-* header names, xsi:type on
// ACL grantees).
//
// For tests the server counts requests and bytes per operation (Stats) and
// fails on purpose when told to (InjectFault).
package ks3server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Options configure a Server. Zero values mean the documented defaults.
type Options struct {
	// Root is the directory holding the store; it is created if missing.
	// Two servers cannot use the same root at once.
	Root string
	// Credentials maps access keys to secret keys; at least one is required.
	// Every access key acts as the single owner of all buckets.
	Credentials map[string]string
	// Logger receives one debug line per request; the zero value discards.
	Logger zerolog.Logger
	// Now is the clock used for signature skew, expiry and timestamps;
	// nil means time.Now.
	Now func() time.Time
	// MaxSkew is how far a request's Date may be from Now; 0 means 15 minutes.
	MaxSkew time.Duration
	// CallbackTimeout bounds each attempt to reach an upload callback URL;
	// 0 means 3 seconds.
	CallbackTimeout time.Duration
	// CallbackClient posts upload callbacks; nil means a default client.
	CallbackClient *http.Client
	// NoSync skips the fsync of each object's data before it is
	// acknowledged. Objects still survive a crash of the process, not a
	// crash of the machine; meant for tests and scratch stores.
	NoSync bool
	// Domain is an optional base host name for virtual-host addressing:
	// requests to BUCKET.<Domain> address BUCKET. BUCKET.localhost and
	// BUCKET.<IPv4 address> work without it.
	Domain string
}

// Defaults of Options.
const (
	DefaultMaxSkew         = 15 * time.Minute
	DefaultCallbackTimeout = 3 * time.Second
)

// Server answers KS3 requests from a store under a root directory. It is
// safe for concurrent use. Create it with New and release it with Close.
type Server struct {
	store     *store
	schemes   []authScheme
	log       zerolog.Logger
	now       func() time.Time
	domain    string
	callbacks callbackPoster
	handlers  map[string]handlerFunc
	stats     statsCounter
	faults    faultSet
	closeOnce sync.Once
	closeErr  error
}

// handlerFunc serves one operation. It returns an apiError to answer with,
// or any other error for a 500.
type handlerFunc func(w http.ResponseWriter, r *http.Request, req *request) error

// request is a routed and authenticated request.
type request struct {
	*route
	id        string
	accessKey string       // "" for anonymous requests
	bkt       bucketRecord // the addressed bucket, loaded for bucket-scoped operations
}

// New opens the store under opts.Root and returns a server for it.
func New(opts Options) (*Server, error) {
	if opts.Root == "" {
		return nil, errors.New("new ks3 server: no root directory")
	}
	if len(opts.Credentials) == 0 {
		return nil, errors.New("new ks3 server: no credentials")
	}
	s := &Server{
		log:    opts.Logger.With().Str("component", "ks3server").Logger(),
		now:    opts.Now,
		domain: opts.Domain,
		faults: newFaultSet(),
	}
	if s.now == nil {
		s.now = time.Now
	}
	checker := credentialChecker{
		secrets: copyCredentials(opts.Credentials),
		maxSkew: durationOr(opts.MaxSkew, DefaultMaxSkew),
	}
	s.schemes = []authScheme{v2Scheme{checker, kssDialect}, v2Scheme{checker, awsDialect}, v4Scheme{checker}}
	s.callbacks = newCallbackPoster(opts.CallbackClient, durationOr(opts.CallbackTimeout, DefaultCallbackTimeout))
	s.handlers = s.handlerTable()
	st, err := openStore(context.Background(), opts.Root, !opts.NoSync, s.log)
	if err != nil {
		return nil, fmt.Errorf("new ks3 server: %w", err)
	}
	s.store = st
	return s, nil
}

func copyCredentials(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// handlerTable maps operation names to their handlers.
func (s *Server) handlerTable() map[string]handlerFunc {
	return map[string]handlerFunc{
		OpListBuckets:             s.listBuckets,
		OpCreateBucket:            s.createBucket,
		OpDeleteBucket:            s.deleteBucket,
		OpHeadBucket:              s.headBucket,
		OpGetBucketLocation:       s.getBucketLocation,
		OpGetBucketACL:            s.getBucketACL,
		OpPutBucketACL:            s.putBucketACL,
		OpListObjects:             s.listObjects,
		OpListObjectsV2:           s.listObjectsV2,
		OpHeadObject:              s.headObject,
		OpGetObject:               s.getObject,
		OpPutObject:               s.putObject,
		OpCopyObject:              s.copyObject,
		OpDeleteObject:            s.deleteObject,
		OpDeleteObjects:           s.deleteObjects,
		OpGetObjectACL:            s.getObjectACL,
		OpPutObjectACL:            s.putObjectACL,
		OpInitiateMultipartUpload: s.initiateMultipartUpload,
		OpUploadPart:              s.uploadPart,
		OpUploadPartCopy:          s.uploadPartCopy,
		OpCompleteMultipartUpload: s.completeMultipartUpload,
		OpAbortMultipartUpload:    s.abortMultipartUpload,
		OpListParts:               s.listParts,
		OpListMultipartUploads:    s.listMultipartUploads,
	}
}

// Close closes the store. Requests still in flight fail.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.store.close() })
	return s.closeErr
}

// ServeHTTP answers one KS3 request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := newRequestID()
	w.Header().Set("X-Kss-Request-Id", id)
	cw := &countingWriter{ResponseWriter: w}
	body := &countingReader{r: r.Body}
	r.Body = body
	rt := s.serve(cw, r, id)
	s.stats.addBytes(body.n.Load(), cw.n)
	s.log.Debug().
		Str("method", r.Method).
		Str("op", rt.op).
		Str("bucket", rt.bucket).
		Str("key", rt.key).
		Int("status", cw.statusCode()).
		Int64("bytes_in", body.n.Load()).
		Int64("bytes_out", cw.n).
		Dur("duration", time.Since(start)).
		Str("request_id", id).
		Msg("request")
}

// serve routes, applies faults, authenticates and dispatches a request,
// and returns its route for logging.
func (s *Server) serve(w *countingWriter, r *http.Request, id string) *route {
	rt, err := parseRoute(r, s.domain)
	if err != nil {
		rt = &route{op: OpInvalid, resource: "/"}
		s.stats.addRequest(rt.op)
		s.fail(w, r, &request{route: rt, id: id}, err)
		return rt
	}
	s.stats.addRequest(rt.op)
	var out http.ResponseWriter = w
	if f, ok := s.faults.match(rt.op); ok {
		var handled bool
		if out, handled = s.applyFault(w, r, f, rt, id); handled {
			return rt
		}
	}
	req := &request{route: rt, id: id}
	if req.accessKey, err = s.authenticate(r, rt); err == nil {
		err = s.authorize(r.Context(), req)
	}
	if err == nil {
		err = s.dispatch(out, r, req)
	}
	if err != nil {
		s.fail(out, r, req, err)
	}
	return rt
}

// dispatch runs the handler of the request's operation.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, req *request) error {
	if req.op == OpUnsupported {
		return errNotImplemented
	}
	h, ok := s.handlers[req.op]
	if !ok {
		return errMethodNotAllowed
	}
	return h(w, r, req)
}

// fail answers err. An error after the response has started can only cut
// the response short, which the client notices from Content-Length.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, req *request, err error) {
	if r.Context().Err() != nil {
		s.log.Debug().Err(err).Str("request_id", req.id).Msg("client went away")
		return
	}
	var ae apiError
	if !errors.As(err, &ae) {
		s.log.Error().Err(err).Str("op", req.op).Str("bucket", req.bucket).Str("key", req.key).
			Str("request_id", req.id).Msg("request failed")
		ae = errInternal
	}
	if responseStarted(w) {
		s.log.Warn().Err(err).Str("request_id", req.id).Msg("request failed after the response started")
		return
	}
	writeError(w, r, ae, req.resource, req.id)
}

// newRequestID returns a random request id: 32 hex digits.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
