package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/ks3sync/ks3sync/daemon"
	"github.com/ks3sync/ks3sync/state"
	"github.com/ks3sync/ks3sync/webui"
)

// statusReport is what `ks3sync status --json` prints: the status model
// (daemon.Status: the running daemon's own, fetched from its http address,
// or else rebuilt from the state database), and what the state database
// holds besides.
type statusReport struct {
	daemon.Status
	State    string         `json:"state"`
	Pending  int            `json:"pending"`
	Oldest   *time.Time     `json:"oldest_pending,omitempty"`
	Uploads  []uploadStatus `json:"uploads"`
	Runs     []runStatus    `json:"runs"`
	Failures []failure      `json:"retrying"`
}

type uploadStatus struct {
	Pair      string    `json:"pair"`
	Path      string    `json:"path"`
	Key       string    `json:"key"`
	Size      int64     `json:"size"`
	Done      int64     `json:"done"`
	Parts     int       `json:"parts_done"`
	Started   time.Time `json:"started"`
	Encrypted bool      `json:"encrypted"`
}

type runStatus struct {
	ID         int64     `json:"id"`
	Pair       string    `json:"pair"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	Started    time.Time `json:"started"`
	Ended      time.Time `json:"ended"`
	Uploaded   int       `json:"uploaded"`
	Downloaded int       `json:"downloaded"`
	Deleted    int       `json:"deleted"`
	Conflicts  int       `json:"conflicts"`
	Skipped    int       `json:"skipped"`
	Failed     int       `json:"failed"`
	Bytes      int64     `json:"bytes"`
	Errors     []string  `json:"errors"`
}

func toRunStatus(r state.Run) runStatus {
	c := r.Counts
	errs := r.Errors
	if errs == nil {
		errs = []string{}
	}
	return runStatus{
		ID: r.ID, Pair: r.Pair, Kind: r.Kind, Status: r.Status, Started: r.Started, Ended: r.Ended,
		Uploaded: c.Uploaded, Downloaded: c.Downloaded, Deleted: c.Deleted, Conflicts: c.Conflicts,
		Skipped: c.Skipped, Failed: c.Failed, Bytes: c.Bytes, Errors: errs,
	}
}

type failure struct {
	Pair      string    `json:"pair"`
	Path      string    `json:"path"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error"`
	Next      time.Time `json:"next_attempt"`
}

func newStatusCmd(a *app) *cobra.Command {
	var asJSON, asURL bool
	cmd := &cobra.Command{
		Use:   "status [--config F] [--json | --url]",
		Short: "Show each pair's health, pending changes, uploads in flight, the last runs and recent errors",
		Long: `status shows each pair's health and last pass, how many local changes wait
to be synced, multipart uploads in flight, the last runs and paths being
retried. When http: is configured and the daemon answers there, the pairs'
state is the daemon's live view ("source": "daemon"); otherwise it is
rebuilt from the state database ("source": "state"). It never contacts the
KS3 endpoint. --json prints the same document as the daemon's /api/status,
with the state database's sections added (see the README).

--url prints the address of the daemon's status page with the token that
authorises its actions, e.g. http://127.0.0.1:9101/#token=...: open it in a
browser on this machine. The token travels in the fragment, which the
browser never sends to the server; it is made once and kept beside the
state database, readable by its owner only, unless the config sets
http_token.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asURL {
				u, err := a.statusPageURL()
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), u)
				return nil
			}
			rep, err := a.status(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			printStatus(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	cmd.Flags().BoolVar(&asURL, "url", false, "print the status page's address, with the token its actions need")
	cmd.MarkFlagsMutuallyExclusive("json", "url")
	return cmd
}

// statusPageURL returns the address of the status page with the token in
// its fragment. An address that listens everywhere is reached through
// loopback.
func (a *app) statusPageURL() (string, error) {
	if a.cfg.HTTP == "" {
		return "", usageError("status --url: no http address is configured: set http: 127.0.0.1:9101 in the config and restart watch")
	}
	token, err := a.httpToken()
	if err != nil {
		return "", err
	}
	host, port, err := net.SplitHostPort(a.cfg.HTTP)
	if err != nil {
		return "", usageError("http: %v", err)
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.To4() == nil {
			host = "::1"
		}
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: "/", Fragment: "token=" + token}).String(), nil
}

// httpToken returns the token that authorises the status page's actions:
// http_token from the config, or else the one kept beside the state
// database, made on first use.
func (a *app) httpToken() (string, error) {
	if a.cfg.HTTPToken != "" {
		return a.cfg.HTTPToken, nil
	}
	t, err := webui.LoadOrCreateToken(webui.TokenFileFor(a.cfg.State))
	if err != nil {
		return "", usageError("http token: %v", err)
	}
	return t, nil
}

func (a *app) status(ctx context.Context) (*statusReport, error) {
	db, err := state.Open(a.cfg.State)
	if err != nil {
		return nil, usageError("state: %v", err)
	}
	defer db.Close()
	rep := &statusReport{State: a.cfg.State, Uploads: []uploadStatus{}, Failures: []failure{}}
	live, err := a.daemonStatus(ctx)
	if err != nil {
		var pcs []daemon.PairConfig
		for _, p := range a.cfg.Pairs {
			pcs = append(pcs, daemon.PairConfig{Name: p.Name, Rescan: p.Watch.Rescan.D(), Direction: p.Direction,
				Local: p.Local, Bucket: p.Bucket, Prefix: p.Prefix, Encrypted: p.Encryption.KeyFile != "",
				History: historyPolicy(p)})
		}
		if live, err = daemon.StatusFromState(ctx, db, pcs, time.Now()); err != nil {
			return nil, err
		}
		live.Device = a.cfg.Device
	}
	rep.Status = *live
	if err := a.stateSections(ctx, db, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// daemonStatus fetches the running daemon's status from its http address.
func (a *app) daemonStatus(ctx context.Context) (*daemon.Status, error) {
	if a.cfg.HTTP == "" {
		return nil, errors.New("no http address configured")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+a.cfg.HTTP+"/api/status", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get /api/status: %s", resp.Status)
	}
	var s daemon.Status
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return nil, fmt.Errorf("get /api/status: %w", err)
	}
	return &s, nil
}

// stateSections fills in what only the state database has.
func (a *app) stateSections(ctx context.Context, db *state.DB, rep *statusReport) error {
	n, oldest, err := db.DirtyStats(ctx, "")
	if err != nil {
		return err
	}
	rep.Pending = n
	if n > 0 {
		rep.Oldest = &oldest
	}
	for u, err := range db.Uploads(ctx) {
		if err != nil {
			return err
		}
		us := uploadStatus{Pair: u.Pair, Path: u.Path, Key: u.Key, Size: u.Size, Parts: len(u.Parts), Started: u.Created, Encrypted: u.Encrypted}
		for _, p := range u.Parts {
			us.Done += p.Size
		}
		us.Done = min(us.Done, us.Size)
		rep.Uploads = append(rep.Uploads, us)
	}
	for d, err := range db.Dirty(ctx, "") {
		if err != nil {
			return err
		}
		if d.Attempts > 0 {
			rep.Failures = append(rep.Failures, failure{Pair: d.Pair, Path: d.Path, Attempts: d.Attempts, LastError: d.LastError, Next: d.NextAttempt})
		}
	}
	runs, err := db.Runs(ctx, "", 10)
	if err != nil {
		return err
	}
	rep.Runs = make([]runStatus, len(runs))
	for i, r := range runs {
		rep.Runs[i] = toRunStatus(r)
	}
	return nil
}

func printStatus(w io.Writer, r *statusReport) {
	fmt.Fprintf(w, "device:   %s\n", r.Device)
	fmt.Fprintf(w, "state:    %s\n", r.State)
	source := "from the state database; no daemon answered"
	if r.Source == "daemon" {
		source = "from the running daemon"
	}
	fmt.Fprintf(w, "pairs:    %s\n", source)
	for _, p := range r.Pairs {
		health := "healthy"
		if !p.Health.Healthy {
			health = "UNHEALTHY: " + p.Health.Message
		}
		fmt.Fprintf(w, "  %-10s %s\n", p.Name, health)
		if p.Last != nil {
			fmt.Fprintf(w, "             last pass %s %s, %s\n", p.Last.Kind, p.Last.Outcome, humanize.Time(p.Last.EndedAt))
		}
	}
	fmt.Fprintf(w, "pending:  %d change(s)", r.Pending)
	if r.Oldest != nil {
		fmt.Fprintf(w, ", oldest %s", humanize.Time(*r.Oldest))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "uploads:  %d in flight\n", len(r.Uploads))
	for _, u := range r.Uploads {
		pct := 0.0
		if u.Size > 0 {
			pct = float64(u.Done) * 100 / float64(u.Size)
		}
		fmt.Fprintf(w, "  %s %s  %s of %s (%.0f%%, %d parts), started %s\n", u.Pair, u.Path,
			humanize.IBytes(uint64(u.Done)), humanize.IBytes(uint64(u.Size)), pct, u.Parts, humanize.Time(u.Started))
	}
	if len(r.Failures) > 0 {
		fmt.Fprintf(w, "retrying: %d path(s)\n", len(r.Failures))
		for _, f := range r.Failures {
			fmt.Fprintf(w, "  %s %s  attempt %d, next %s: %s\n", f.Pair, f.Path, f.Attempts, humanize.Time(f.Next), f.LastError)
		}
	}
	fmt.Fprintln(w, "last runs:")
	if len(r.Runs) == 0 {
		fmt.Fprintln(w, "  none yet")
	}
	for _, run := range r.Runs {
		fmt.Fprintf(w, "  %s %-10s %-11s %s: %d up, %d down, %d deleted, %d failed, %s\n",
			run.Started.Local().Format("2006-01-02 15:04:05"), run.Pair, run.Kind, run.Status,
			run.Uploaded, run.Downloaded, run.Deleted, run.Failed, humanize.IBytes(uint64(run.Bytes)))
		for i, e := range run.Errors {
			if i == 3 {
				fmt.Fprintf(w, "      ... %d more\n", len(run.Errors)-3)
				break
			}
			fmt.Fprintf(w, "      %s\n", e)
		}
	}
}
