// Package handlers answers KS3 requests over HTTP: it routes a request to
// its operation (path-style or virtual-host addressing), has its
// credentials verified (package auth), checks ACLs for anonymous requests,
// runs the operation against the store (package store), and answers with
// KS3's shapes, errors included, down to the quirks the official SDKs
// depend on (ns2-prefixed ListParts, lower-case x-kss-meta-* header names,
// xsi:type on ACL grantees).
//
// It counts requests and bytes per operation (Stats). An optional
// Interceptor may answer requests before they are authenticated; the
// server's fault injection (package faults) is one.
package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/auth"
	"github.com/ks3sync/ks3sync/ks3server/callback"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// Interceptor may answer a routed request before it is authenticated.
// Intercept returns the writer to answer with (it may wrap w) and whether
// it has dealt with the request. op is the operation name (OpGetObject,
// …), resource the /bucket/key that error documents name.
type Interceptor interface {
	Intercept(w http.ResponseWriter, r *http.Request, op, resource, requestID string) (http.ResponseWriter, bool)
}

// Options configure a Handler. Store, Verifier and Callbacks are required.
type Options struct {
	Store     *store.Store
	Verifier  *auth.Verifier
	Callbacks *callback.Poster
	// Logger receives one debug line per request, and errors; the zero
	// value discards.
	Logger zerolog.Logger
	// Now is the clock of timestamps; nil means time.Now.
	Now func() time.Time
	// Domain is an optional base host name for virtual-host addressing:
	// requests to BUCKET.<Domain> address BUCKET. BUCKET.localhost and
	// BUCKET.<IPv4 address> work without it.
	Domain string
	// Interceptor, when set, sees every routed request first.
	Interceptor Interceptor
}

// Handler answers KS3 requests. It is safe for concurrent use.
type Handler struct {
	store       *store.Store
	verifier    *auth.Verifier
	callbacks   *callback.Poster
	log         zerolog.Logger
	now         func() time.Time
	domain      string
	interceptor Interceptor
	handlers    map[string]handlerFunc
	stats       statsCounter
}

// handlerFunc serves one operation. It returns an error to answer with:
// an apierr.Error, a store error (see apiError), or any other error for a
// 500.
type handlerFunc func(w http.ResponseWriter, r *http.Request, req *request) error

// request is a routed and authenticated request.
type request struct {
	*route
	id        string
	accessKey string       // "" for anonymous requests
	bkt       store.Bucket // the addressed bucket, loaded for bucket-scoped operations
}

// New returns a handler for opts.
func New(opts Options) *Handler {
	h := &Handler{
		store:       opts.Store,
		verifier:    opts.Verifier,
		callbacks:   opts.Callbacks,
		log:         opts.Logger,
		now:         opts.Now,
		domain:      opts.Domain,
		interceptor: opts.Interceptor,
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.handlers = h.handlerTable()
	return h
}

// handlerTable maps operation names to their handlers.
func (h *Handler) handlerTable() map[string]handlerFunc {
	return map[string]handlerFunc{
		OpListBuckets:             h.listBuckets,
		OpCreateBucket:            h.createBucket,
		OpDeleteBucket:            h.deleteBucket,
		OpHeadBucket:              h.headBucket,
		OpGetBucketLocation:       h.getBucketLocation,
		OpGetBucketACL:            h.getBucketACL,
		OpPutBucketACL:            h.putBucketACL,
		OpListObjects:             h.listObjects,
		OpListObjectsV2:           h.listObjectsV2,
		OpHeadObject:              h.headObject,
		OpGetObject:               h.getObject,
		OpPutObject:               h.putObject,
		OpCopyObject:              h.copyObject,
		OpDeleteObject:            h.deleteObject,
		OpDeleteObjects:           h.deleteObjects,
		OpGetObjectACL:            h.getObjectACL,
		OpPutObjectACL:            h.putObjectACL,
		OpInitiateMultipartUpload: h.initiateMultipartUpload,
		OpUploadPart:              h.uploadPart,
		OpUploadPartCopy:          h.uploadPartCopy,
		OpCompleteMultipartUpload: h.completeMultipartUpload,
		OpAbortMultipartUpload:    h.abortMultipartUpload,
		OpListParts:               h.listParts,
		OpListMultipartUploads:    h.listMultipartUploads,
	}
}

// ServeHTTP answers one KS3 request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := newRequestID()
	w.Header().Set("X-Kss-Request-Id", id)
	cw := &countingWriter{ResponseWriter: w}
	body := &countingReader{r: r.Body}
	r.Body = body
	req := &request{route: &route{op: OpInvalid, resource: "/"}, id: id}
	defer func() {
		h.stats.addBytes(body.n.Load(), cw.n)
		h.logRequest(r, req, cw, body.n.Load(), start)
	}()
	defer h.recoverPanic(cw, r, req)
	h.serve(cw, r, req)
}

// logRequest writes the debug line of a request.
func (h *Handler) logRequest(r *http.Request, req *request, cw *countingWriter, in int64, start time.Time) {
	h.log.Debug().
		Str("method", r.Method).
		Str("op", req.op).
		Str("bucket", req.bucket).
		Str("key", req.key).
		Int("status", cw.statusCode()).
		Int64("bytes_in", in).
		Int64("bytes_out", cw.n).
		Float64("duration_seconds", time.Since(start).Seconds()).
		Str("request_id", req.id).
		Msg("request")
}

// recoverPanic turns a panic of a handler into an error log line and a 500
// (or a dropped connection once the answer has started). A deliberate
// http.ErrAbortHandler passes through.
func (h *Handler) recoverPanic(w *countingWriter, r *http.Request, req *request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	h.log.Error().Str("panic", fmt.Sprint(v)).Bytes("stack", debug.Stack()).Str("op", req.op).
		Str("request_id", req.id).Msg("request handler panicked")
	if w.started() {
		panic(http.ErrAbortHandler)
	}
	apierr.Write(w, r, apierr.Internal, req.resource, req.id)
}

// serve routes, intercepts, authenticates and dispatches a request.
func (h *Handler) serve(w *countingWriter, r *http.Request, req *request) {
	rt, err := parseRoute(r, h.domain)
	if err != nil {
		h.stats.addRequest(req.op)
		h.fail(w, r, req, err)
		return
	}
	req.route = rt
	h.stats.addRequest(rt.op)
	var out http.ResponseWriter = w
	if h.interceptor != nil {
		var handled bool
		if out, handled = h.interceptor.Intercept(w, r, rt.op, rt.resource, req.id); handled {
			return
		}
	}
	if req.accessKey, err = h.verifier.Verify(r, rt.target()); err == nil {
		err = h.authorize(r.Context(), req)
	}
	if err == nil {
		err = h.dispatch(out, r, req)
	}
	if err != nil {
		h.fail(out, r, req, err)
	}
}

// dispatch runs the handler of the request's operation.
func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request, req *request) error {
	if req.op == OpUnsupported {
		return apierr.NotImplemented
	}
	fn, ok := h.handlers[req.op]
	if !ok {
		return apierr.MethodNotAllowed
	}
	return fn(w, r, req)
}

// fail answers err. An error after the response has started can only cut
// the response short, which the client notices from Content-Length.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, req *request, err error) {
	if r.Context().Err() != nil {
		h.log.Debug().Err(err).Str("request_id", req.id).Msg("client went away")
		return
	}
	ae, ok := apiError(err)
	if !ok {
		h.log.Error().Err(err).Str("op", req.op).Str("bucket", req.bucket).Str("key", req.key).
			Str("request_id", req.id).Msg("request failed")
	}
	if responseStarted(w) {
		h.log.Warn().Err(err).Str("request_id", req.id).Msg("request failed after the response started")
		return
	}
	apierr.Write(w, r, ae, req.resource, req.id)
}

// newRequestID returns a random request id: 32 hex digits.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
