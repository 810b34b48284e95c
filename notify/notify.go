// Package notify delivers ks3sync's notifications (a pass failing, the
// recovery, a guard refusal, a conflict) to a webhook and/or a command, with
// a JSON body. Delivery runs on its own goroutine behind a bounded queue:
// Notify never blocks the caller, and a notification that does not fit is
// dropped with a log line. Each delivery is retried a bounded number of
// times with backoff.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/rs/zerolog"
)

// Event names what a notification reports.
type Event string

// The notifications ks3sync sends.
const (
	Failure  Event = "failure"  // a pair's passes failed AfterFailures times in a row
	Recovery Event = "recovery" // a pair's pass succeeded after a failure or refusal was notified
	Refused  Event = "refused"  // a guard held a pair's pass back
	Conflict Event = "conflict" // both sides changed a file: a copy was kept, or the conflict policy picked one
)

// Message is the JSON body of a notification: the webhook's request body
// and the command's standard input.
type Message struct {
	Event   Event     `json:"event"`
	Time    time.Time `json:"time"`
	Host    string    `json:"host"`
	Pair    string    `json:"pair"`
	Message string    `json:"message"` // one line for a person
	// Failure and refusal: the pass's error, its kind (syncer.ErrorKind),
	// how many passes failed in a row and since when.
	Error               string     `json:"error,omitempty"`
	ErrorKind           string     `json:"error_kind,omitempty"`
	ConsecutiveFailures int        `json:"consecutive_failures,omitempty"`
	FailingSince        *time.Time `json:"failing_since,omitempty"`
	// Refusal: the command that lets the pass proceed once.
	Proceed string `json:"proceed,omitempty"`
	// Conflict: the path both sides changed.
	Path string `json:"path,omitempty"`
}

// Options configure a Notifier. Zero values mean the defaults.
type Options struct {
	Webhook string   // URL that receives a POST of the Message; "" = none
	Command []string // program and arguments, run with the Message on stdin; nil = none
	// Attempts bounds the deliveries of one message to each target; 0 = 4.
	Attempts int
	// Backoff is the first wait between attempts, doubling; 0 = 1 s.
	Backoff time.Duration
	// Timeout bounds one attempt; 0 = 10 s.
	Timeout time.Duration
	// QueueSize is how many messages may wait; 0 = 64.
	QueueSize int
	// Host names this machine in messages; "" = os.Hostname.
	Host   string
	Client *http.Client // nil = a client without its own timeout
	Logger zerolog.Logger
}

// Notifier queues and delivers notifications.
type Notifier struct {
	opts  Options
	log   zerolog.Logger
	queue chan Message
}

// New checks opts and returns a Notifier; start delivery with Run.
func New(opts Options) (*Notifier, error) {
	if opts.Webhook == "" && len(opts.Command) == 0 {
		return nil, errors.New("notify: a webhook or a command is required")
	}
	if opts.Webhook != "" {
		if u, err := url.Parse(opts.Webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("notify: webhook %q is not an http(s) URL", opts.Webhook)
		}
	}
	opts.Attempts = cmpOr(opts.Attempts, 4)
	opts.Backoff = cmpOr(opts.Backoff, time.Second)
	opts.Timeout = cmpOr(opts.Timeout, 10*time.Second)
	opts.QueueSize = cmpOr(opts.QueueSize, 64)
	if opts.Host == "" {
		opts.Host, _ = os.Hostname()
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	return &Notifier{
		opts:  opts,
		log:   opts.Logger.With().Str("component", "notify").Logger(),
		queue: make(chan Message, opts.QueueSize),
	}, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Notify queues m for delivery and returns at once. When the queue is full
// m is dropped, with a log line.
func (n *Notifier) Notify(m Message) {
	if m.Host == "" {
		m.Host = n.opts.Host
	}
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	select {
	case n.queue <- m:
	default:
		n.log.Warn().Str("event", string(m.Event)).Str("pair", m.Pair).Msg("notification dropped: the queue is full")
	}
}

// drainGrace is how long Run keeps delivering queued messages once its
// context is done.
const drainGrace = 5 * time.Second

// Run delivers queued messages, one at a time, until ctx is done; then it
// delivers what is still queued for at most a few seconds, and returns.
func (n *Notifier) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			n.drain(ctx, nil)
			return
		case m := <-n.queue:
			if ctx.Err() != nil {
				n.drain(ctx, &m)
				return
			}
			n.deliver(ctx, m)
		}
	}
}

// drain delivers first, if any, and the messages left in the queue within
// drainGrace.
func (n *Notifier) drain(ctx context.Context, first *Message) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainGrace)
	defer cancel()
	if first != nil {
		n.deliver(dctx, *first)
	}
	for {
		select {
		case m := <-n.queue:
			n.deliver(dctx, m)
		default:
			return
		}
	}
}

// deliver sends m to every target, logging a delivery that failed for good.
func (n *Notifier) deliver(ctx context.Context, m Message) {
	body, err := encode(m)
	if err != nil {
		n.log.Error().Err(err).Msg("encode notification")
		return
	}
	if n.opts.Webhook != "" {
		n.report(m, "webhook", n.retry(ctx, func(ctx context.Context) error { return n.post(ctx, body) }))
	}
	if len(n.opts.Command) > 0 {
		n.report(m, "command", n.retry(ctx, func(ctx context.Context) error { return n.run(ctx, m, body) }))
	}
}

func (n *Notifier) report(m Message, target string, err error) {
	if err != nil {
		n.log.Error().Err(err).Str("target", target).Str("event", string(m.Event)).Str("pair", m.Pair).Msg("notification not delivered")
		return
	}
	n.log.Debug().Str("target", target).Str("event", string(m.Event)).Str("pair", m.Pair).Msg("notification delivered")
}
