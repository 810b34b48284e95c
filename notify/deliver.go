package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// permanentError is a failure that another attempt cannot fix (the webhook
// answered 4xx).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// retry calls attempt up to Options.Attempts times, each bounded by
// Options.Timeout, waiting Backoff, then twice as long, between them.
func (n *Notifier) retry(ctx context.Context, attempt func(context.Context) error) error {
	wait := n.opts.Backoff
	var err error
	for i := range n.opts.Attempts {
		if i > 0 {
			select {
			case <-time.After(wait):
				wait *= 2
			case <-ctx.Done():
				return fmt.Errorf("%w (gave up: %v)", err, ctx.Err())
			}
		}
		actx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
		err = attempt(actx)
		cancel()
		var pe *permanentError
		if err == nil || errors.As(err, &pe) {
			return err
		}
	}
	return fmt.Errorf("%w (after %d attempts)", err, n.opts.Attempts)
}

// post sends body to the webhook; 2xx is success, 4xx other than 408 and
// 429 is final.
func (n *Notifier) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.opts.Webhook, bytes.NewReader(body))
	if err != nil {
		return &permanentError{fmt.Errorf("post webhook: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ks3sync-notify")
	resp, err := n.opts.Client.Do(req)
	if err != nil {
		return fmt.Errorf("post webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return nil
	case c >= 400 && c < 500 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests:
		return &permanentError{fmt.Errorf("post webhook: %s", resp.Status)}
	default:
		return fmt.Errorf("post webhook: %s", resp.Status)
	}
}

// run runs the command with body on stdin and the event and pair in the
// environment (KS3SYNC_EVENT, KS3SYNC_PAIR); a non-zero exit is a failure.
func (n *Notifier) run(ctx context.Context, m Message, body []byte) error {
	cmd := exec.CommandContext(ctx, n.opts.Command[0], n.opts.Command[1:]...)
	cmd.Stdin = bytes.NewReader(body)
	cmd.Env = append(os.Environ(), "KS3SYNC_EVENT="+string(m.Event), "KS3SYNC_PAIR="+m.Pair)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(out.String()); msg != "" {
			return fmt.Errorf("run %s: %w: %s", n.opts.Command[0], err, tail(msg, 200))
		}
		return fmt.Errorf("run %s: %w", n.opts.Command[0], err)
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func encode(m Message) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
