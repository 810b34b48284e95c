package ks3

import (
	"errors"
	"net/http"
	"time"
)

// KS3 refuses a request whose Date is more than 15 minutes off its own clock
// (403 RequestTimeTooSkewed). The client then learns the offset from the
// response's Date header, signs the retry with the corrected time, and keeps
// the correction for later requests, so a machine with a wrong clock still
// works.

// clock is the time requests are signed with: the caller's clock plus the
// offset learned from the service.
func (c *Client) clock() time.Time {
	return c.now().Add(time.Duration(c.skew.Load()))
}

// clockSkewError is a RequestTimeTooSkewed answer after which the offset was
// corrected: the request is worth one immediate retry.
type clockSkewError struct {
	err error
}

func (e *clockSkewError) Error() string { return e.err.Error() }
func (e *clockSkewError) Unwrap() error { return e.err }

// maxSkew is how far KS3 lets a request's Date stray from its clock.
const maxSkew = 15 * time.Minute

// resyncClock handles an answer refusing a request for its time:
// RequestTimeTooSkewed, or a bodiless 403 (HEAD) whose Date is more than
// maxSkew from the time the request was signed with. When the response
// carries a usable Date, it records the offset and wraps err so that the
// request is retried once with the corrected time.
func (c *Client) resyncClock(resp *http.Response, err error) error {
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusForbidden {
		return err
	}
	server, perr := http.ParseTime(resp.Header.Get("Date"))
	if perr != nil {
		return err
	}
	head := resp.Request != nil && resp.Request.Method == http.MethodHead
	if e.Code != "RequestTimeTooSkewed" && (!head || server.Sub(c.clock()).Abs() <= maxSkew) {
		return err
	}
	c.skew.Store(int64(server.Sub(c.now())))
	return &clockSkewError{err: err}
}
