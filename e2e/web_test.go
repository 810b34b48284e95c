package e2e

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
)

// screenshotsEnv names the folder the status page tests save their
// screenshots in; by default they go under the test's temporary folder.
const screenshotsEnv = "KS3SYNC_SCREENSHOTS"

// pageWait bounds how long the page may take to show what the daemon did.
const pageWait = 10 * time.Second

// The status page in a real browser, against a real `ks3sync watch` and a
// real `ks3sync serve`: it loads with no console error, shows the pairs, a
// new transfer, an error, a refusal and a multipart upload in flight within
// seconds; "sync now" runs a full reconcile, "pause" and "resume" work from
// the keyboard, an action without the token is refused. It saves
// screenshots (desktop light and dark, 360 px wide). The served bytes hold
// no secret, and /api/status keeps the shape of the golden document.
func TestWebStatusPage(t *testing.T) {
	chromium := needChromium(t)
	w := startWebWorld(t)
	b := newBrowser(t, chromium)

	b.do(chromedp.Navigate(w.pageURL))
	b.waitText("#pairs", "documents", "photos")
	b.waitText("#overall", "healthy")
	b.waitText("header .meta", "Device studio-laptop")

	writeFile(t, w.docs, "new-report.txt", []byte("quarterly figures"))
	b.waitText(".pair:nth-of-type(1) .recent", "new-report.txt")
	// History is on by default: the policy and restore points, each with
	// the command that restores it.
	b.waitText(".pair:nth-of-type(1) .s-history", "Version history", "kept for 30 days",
		"ks3sync restore --pair documents --at ", "--to RESTORED-FOLDER")

	for _, f := range []string{"a.txt", "b.txt", "c.txt", "letter.odt"} {
		os.Remove(filepath.Join(w.docs, f))
	}
	b.waitText(".pair:nth-of-type(1) .refusals", "max_delete: would delete 4 of 6", "--max-delete 4")

	w.place(t, w.photos, "holiday.mov", pseudoRandom(7, 32<<20))
	b.waitText(".pair:nth-of-type(2) .errors", "holiday.mov", "AccessDenied", "What to do: check access_key")
	b.waitTextWithin(20*time.Second, ".pair:nth-of-type(2) .flight", "holiday.mov", "parts done")
	w.screenshots(t, b)
	b.checkConsole("loading and updating the page")

	b.waitTextWithin(30*time.Second, ".pair:nth-of-type(2) .recent", "holiday.mov")
	w.checkSyncNow(t, b)
	w.checkPause(t, b)
	w.checkNoToken(t, b)
	w.checkActionsRefused(t)
	w.checkNoSecrets(t)
	w.checkSchema(t)
}

// needChromium returns the path of Chromium; without it the test is
// skipped, unless CI is set.
func needChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missingPeer(t, "chromium is not installed")
	return ""
}

// webWorld is a `ks3sync serve` and a `ks3sync watch` of two pairs with the
// status page on.
type webWorld struct {
	e             *env
	cfg           string
	addr          string // of the status page
	pageURL       string // what `status --url` printed
	token         string
	docs, photos  string // the pairs' folders
	secretKey     string
	encryptionKey []byte
}

func startWebWorld(t *testing.T) *webWorld {
	e := newEnv(t)
	// A folder named like an example, not like the test, for the
	// screenshots.
	root, err := os.MkdirTemp("", "ks3sync-demo-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	w := &webWorld{e: e, addr: freeAddr(t), docs: filepath.Join(root, "Documents"), photos: filepath.Join(root, "Photos"),
		secretKey: ks3servertest.SecretKey}
	srv := startServe(t, e, false, "--root", filepath.Join(e.dir, "store"), "--no-fsync",
		"--access-key", ks3servertest.AccessKey, "--secret-key", ks3servertest.SecretKey,
		"--faults", "ops=InitiateMultipartUpload,count=1,kinds=403:AccessDenied")
	w.mkBucket(t, srv.url, "backup")
	key := filepath.Join(root, "photos.key")
	e.mustRun(0, "keygen", key)
	if w.encryptionKey, err = os.ReadFile(key); err != nil {
		t.Fatal(err)
	}
	tree{"a.txt": []byte("a"), "b.txt": []byte("b"), "c.txt": []byte("c"), "notes/todo.md": []byte("- call back"), "letter.odt": pseudoRandom(3, 40_000)}.write(t, w.docs)
	tree{"2024/beach.jpg": pseudoRandom(4, 300_000)}.write(t, w.photos)
	w.cfg = filepath.Join(root, "ks3sync.yaml")
	doc := fmt.Sprintf(`endpoint: %s
state: %s
http: "%s"
device: studio-laptop
bandwidth: 4MiB
multipart_threshold: 5MiB
part_size: 5MiB
pairs:
  - name: documents
    local: %s
    bucket: backup
    prefix: laptop/documents/
    delete: propagate
    max_delete: 50%%
    watch: {delay: 100ms, max_delay: 1s}
  - name: photos
    local: %s
    bucket: backup
    prefix: laptop/photos/
    encryption: {key_file: %s}
    watch: {delay: 100ms, max_delay: 1s}
`, srv.url, filepath.Join(e.dir, "state.db"), w.addr, w.docs, w.photos, key)
	if err := os.WriteFile(w.cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	e.startWatch(w.cfg)
	waitFor(t, 30*time.Second, "/readyz", func() (bool, string) {
		code, body := httpGet(t, "http://"+w.addr+"/readyz")
		return code == 200, body
	})
	w.pageURL = strings.TrimSpace(e.mustRun(0, "status", "--config", w.cfg, "--url").stdout)
	m := regexp.MustCompile(`^http://` + regexp.QuoteMeta(w.addr) + `/#token=([A-Za-z0-9_-]{43})$`).FindStringSubmatch(w.pageURL)
	if m == nil {
		t.Fatalf("status --url printed %q", w.pageURL)
	}
	w.token = m[1]
	return w
}

// place puts a file into a folder whole, by a rename, as a program that
// saves atomically does.
func (w *webWorld) place(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	tmp := writeFile(t, filepath.Dir(dir), name+".part", data)
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

func (w *webWorld) mkBucket(t *testing.T, endpoint, name string) {
	t.Helper()
	c, err := ks3.New(ks3.Options{Endpoint: endpoint, AccessKey: ks3servertest.AccessKey, SecretKey: ks3servertest.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateBucket(t.Context(), name, ks3.CreateBucketOptions{}); err != nil {
		t.Fatal(err)
	}
}

// status returns the daemon's status document, decoded.
func (w *webWorld) status(t *testing.T) map[string]any {
	t.Helper()
	code, body := httpGet(t, "http://"+w.addr+"/api/status")
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); code != 200 || err != nil {
		t.Fatalf("/api/status: %d %v %s", code, err, body)
	}
	return m
}

// pair returns the named pair of a status document.
func pairOf(t *testing.T, status map[string]any, name string) map[string]any {
	t.Helper()
	for _, p := range status["pairs"].([]any) {
		if p := p.(map[string]any); p["name"] == name {
			return p
		}
	}
	t.Fatalf("no pair %s in the status", name)
	return nil
}

// screenshots saves the page on a desktop, in light and dark, and 360 px
// wide.
func (w *webWorld) screenshots(t *testing.T, b *browser) {
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shots := []struct {
		name   string
		width  int64
		scheme string
	}{
		{"status-desktop.png", 1280, "light"},
		{"status-narrow.png", 360, "light"},
		{"status-desktop-dark.png", 1280, "dark"},
	}
	for _, s := range shots {
		b.do(chromedp.EmulateViewport(s.width, 900), colorScheme(s.scheme))
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", s.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.do(chromedp.EmulateViewport(1280, 900), colorScheme("light"))
	t.Logf("screenshots in %s", dir)
}

// checkSyncNow clicks "Sync now" of photos and waits for the full
// reconcile it runs.
func (w *webWorld) checkSyncNow(t *testing.T, b *browser) {
	before := pairOf(t, w.status(t), "photos")["last_full_reconcile_at"]
	b.do(chromedp.Click(chromedp.CSS(".pair:nth-of-type(2) .act-sync")))
	b.waitText("#live", "A full reconcile of photos was asked for.")
	waitFor(t, pageWait, "the full reconcile asked for", func() (bool, string) {
		after := pairOf(t, w.status(t), "photos")["last_full_reconcile_at"]
		return after != before, fmt.Sprint(before, " ", after)
	})
}

// checkPause pauses and resumes documents from the keyboard.
func (w *webWorld) checkPause(t *testing.T, b *browser) {
	pause := chromedp.CSS(".pair:nth-of-type(1) .act-pause")
	b.do(chromedp.Focus(pause), chromedp.KeyEvent("\r"))
	b.waitText(".pair:nth-of-type(1) .health", "Paused")
	b.waitText(".pair:nth-of-type(1) .act-pause", "Resume")
	if p := pairOf(t, w.status(t), "documents"); p["paused"] != true || p["health"].(map[string]any)["reason"] != "paused" {
		t.Fatalf("after the pause: paused %v, health %v", p["paused"], p["health"])
	}
	b.do(chromedp.Focus(pause), chromedp.KeyEvent("\r"))
	b.waitText(".pair:nth-of-type(1) .act-pause", "Pause")
	if p := pairOf(t, w.status(t), "documents"); p["paused"] != false {
		t.Fatalf("after the resume: paused %v", p["paused"])
	}
	b.checkConsole("pausing and resuming")
}

// checkNoToken forgets the token and reloads: the page says it is
// read-only, and "sync now" is refused with 403 and changes nothing.
func (w *webWorld) checkNoToken(t *testing.T, b *browser) {
	b.do(chromedp.Evaluate[chromedp.Void](`localStorage.clear()`), chromedp.Navigate("http://"+w.addr+"/"))
	b.waitText("#notice", "Read-only", "ks3sync status --url")
	passes := func() string {
		return fmt.Sprint(pairOf(t, w.status(t), "photos")["totals"].(map[string]any)["passes"])
	}
	before := passes()
	b.do(chromedp.Click(chromedp.CSS(".pair:nth-of-type(2) .act-sync")))
	b.waitText("#notice", "The daemon refused to sync photos", "needs the daemon's token")
	time.Sleep(time.Second)
	if after := passes(); after != before {
		t.Fatalf("a refused action ran a pass: passes %s, then %s", before, after)
	}
	for _, m := range b.consoleErrors() {
		if !strings.Contains(m, "403") {
			t.Errorf("console error after the refused action: %s", m)
		}
	}
}

// checkActionsRefused sends actions the daemon must refuse.
func (w *webWorld) checkActionsRefused(t *testing.T) {
	base := "http://" + w.addr + "/api/pairs/photos/"
	for _, tc := range []struct {
		method, path string
		headers      map[string]string
		want         int
	}{
		{"POST", "sync", nil, 403},
		{"POST", "sync", map[string]string{"Authorization": "Bearer not-the-token-0123456789"}, 403},
		{"POST", "pause", map[string]string{"Authorization": "Bearer " + w.token, "Origin": "http://evil.example"}, 403},
		{"POST", "pause", map[string]string{"Authorization": "Bearer " + w.token, "Sec-Fetch-Site": "cross-site"}, 403},
		{"POST", "pause", map[string]string{"Authorization": "Bearer " + w.token, "Host": "rebind.example"}, 421},
		{"GET", "pause", map[string]string{"Authorization": "Bearer " + w.token}, 405},
		{"POST", "sync", map[string]string{"Authorization": "Bearer " + w.token}, 202},
	} {
		req, err := http.NewRequest(tc.method, base+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range tc.headers {
			req.Header.Set(k, v)
		}
		req.Host = tc.headers["Host"]
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s %v: %d %s, want %d", tc.method, tc.path, slices.Sorted(maps.Keys(tc.headers)), resp.StatusCode, body, tc.want)
		}
	}
	if p := pairOf(t, w.status(t), "photos"); p["paused"] != false {
		t.Fatalf("a refused pause paused photos")
	}
}

// checkNoSecrets looks for the secret key, the encryption key and the
// page's token in everything the listener serves.
func (w *webWorld) checkNoSecrets(t *testing.T) {
	secrets := map[string]string{
		"secret key":                 w.secretKey,
		"encryption key (raw)":       string(w.encryptionKey),
		"encryption key (hex)":       hex.EncodeToString(w.encryptionKey),
		"encryption key (base64)":    base64.StdEncoding.EncodeToString(w.encryptionKey),
		"encryption key (base64url)": base64.RawURLEncoding.EncodeToString(w.encryptionKey),
		"token":                      w.token,
	}
	for _, path := range []string{"/", "/assets/app.js", "/assets/style.css", "/assets/icon.svg", "/api/status", "/metrics", "/healthz", "/readyz"} {
		code, body := httpGet(t, "http://"+w.addr+path)
		if code != 200 && code != 503 {
			t.Fatalf("GET %s: %d", path, code)
		}
		for what, s := range secrets {
			if strings.Contains(strings.ToLower(body), strings.ToLower(s)) {
				t.Errorf("GET %s serves the %s", path, what)
			}
		}
	}
	r := w.e.mustRun(0, "status", "--config", w.cfg, "--json")
	for what, s := range secrets {
		if strings.Contains(r.stdout, s) {
			t.Errorf("status --json prints the %s", what)
		}
	}
}

// checkSchema checks that every field of the real status document is in
// the golden document of the daemon package, with the same JSON type.
func (w *webWorld) checkSchema(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("..", "daemon", "testdata", "status.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g any
	if err := json.Unmarshal(golden, &g); err != nil {
		t.Fatal(err)
	}
	want, got := map[string]string{}, map[string]string{}
	shape(g, "", want)
	shape(any(w.status(t)), "", got)
	for _, path := range slices.Sorted(maps.Keys(got)) {
		if want[path] != got[path] {
			t.Errorf("/api/status field %s is a %s; the golden document has %q", path, got[path], want[path])
		}
	}
	for _, path := range []string{"pairs[].in_flight", "pairs[].recent_transfers[].reason", "pairs[].recent_errors[].hint", "pairs[].recent_refusals[].proceed", "throughput.up_bytes[]"} {
		if got[path] == "" {
			t.Errorf("/api/status lacks %s", path)
		}
	}
}

// shape records the JSON type of every field of v by its path, as in
// "pairs[].name": "string". The keys of passes and transfer_errors are
// values, not fields.
func shape(v any, path string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		out[path] = "object"
		if strings.HasSuffix(path, ".passes") || strings.HasSuffix(path, ".transfer_errors") {
			return
		}
		for k, e := range x {
			shape(e, strings.TrimPrefix(path+"."+k, "."), out)
		}
	case []any:
		out[path] = "array"
		for _, e := range x {
			shape(e, path+"[]", out)
		}
	case string:
		out[path] = "string"
	case float64:
		out[path] = "number"
	case bool:
		out[path] = "bool"
	case nil:
		out[path] = "null"
	}
}

// browser is a headless Chromium tab and the messages of its console.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu      sync.Mutex
	console []string // errors, warnings and exceptions not yet checked
}

// newBrowser starts Chromium with a fresh profile and no background
// connections (this machine reaches no network).
func newBrowser(t *testing.T, path string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
				b.mu.Lock()
				b.console = append(b.console, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// do runs actions, within a minute.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// text returns the text of the first element that matches a CSS selector,
// or "" when none does.
func (b *browser) text(sel string) string {
	b.t.Helper()
	js := fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, sel)
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// waitText waits until the element's text contains every one of want.
func (b *browser) waitText(sel string, want ...string) {
	b.t.Helper()
	b.waitTextWithin(pageWait, sel, want...)
}

// waitTextWithin is waitText with another timeout.
func (b *browser) waitTextWithin(d time.Duration, sel string, want ...string) {
	b.t.Helper()
	waitFor(b.t, d, fmt.Sprintf("%s to show %q", sel, want), func() (bool, string) {
		s := b.text(sel)
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false, s
			}
		}
		return true, s
	})
}

// consoleErrors returns the console's errors and warnings since the last
// call.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.console
	b.console = nil
	return out
}

// checkConsole fails the test on any console error or warning so far.
func (b *browser) checkConsole(during string) {
	b.t.Helper()
	for _, m := range b.consoleErrors() {
		b.t.Errorf("console while %s: %s", during, m)
	}
}

// colorScheme makes the page see prefers-color-scheme as scheme.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// `status --url` prints the page's address with the generated token, or
// the configured one; without an http address it says what to set. `watch`
// refuses to serve the page anywhere but loopback without a configured
// token.
func TestWebURLAndExposure(t *testing.T) {
	e := newEnv(t)
	local := filepath.Join(e.dir, "w")
	pair := fmt.Sprintf("pairs:\n  - name: w\n    local: %s\n    bucket: bkt\n", local)

	r := e.run("status", "--config", e.writeConfig("none.yaml", pair), "--url")
	if r.code != 2 || !strings.Contains(r.stderr, "no http address is configured: set http: 127.0.0.1:9101") {
		t.Fatalf("status --url without http: %s", r)
	}

	cfg := e.writeConfig("gen.yaml", "http: \":9101\"\n"+pair)
	first := strings.TrimSpace(e.mustRun(0, "status", "--config", cfg, "--url").stdout)
	if !regexp.MustCompile(`^http://127\.0\.0\.1:9101/#token=[A-Za-z0-9_-]{43}$`).MatchString(first) {
		t.Fatalf("status --url printed %q", first)
	}
	if again := strings.TrimSpace(e.mustRun(0, "status", "--config", cfg, "--url").stdout); again != first {
		t.Fatalf("the token changed: %q, then %q", first, again)
	}
	info, err := os.Stat(filepath.Join(e.dir, "gen.yaml.state.db.http-token"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, %v", info, err)
	}

	const token = "configured-token-0123456789"
	cfg = e.writeConfig("open.yaml", "http: \"0.0.0.0:9101\"\nhttp_token: "+token+"\n"+pair)
	if got := strings.TrimSpace(e.mustRun(0, "status", "--config", cfg, "--url").stdout); got != "http://127.0.0.1:9101/#token="+token {
		t.Fatalf("status --url with http_token printed %q", got)
	}

	for _, addr := range []string{"0.0.0.0:0", "[::]:0", "192.0.2.1:9101"} {
		cfg := e.writeConfig("exposed.yaml", fmt.Sprintf("http: %q\n%s", addr, pair))
		r := e.run("watch", "--config", cfg)
		if r.code != 2 || !strings.Contains(r.stderr, "is not a loopback address: set http_token in the config") {
			t.Errorf("watch with http %s and no token: %s", addr, r)
		}
	}
}
