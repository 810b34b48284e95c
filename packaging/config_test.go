package packaging

import (
	"os"
	"strings"
	"testing"

	"github.com/ks3sync/ks3sync/config"
)

func parsePackaged(t *testing.T, text string) (*config.Config, error) {
	t.Helper()
	env := map[string]string{"KS3_ACCESS_KEY": "AKLTPACKAGETEST", "KS3_SECRET_KEY": "not-a-real-secret"}
	return config.Parse(strings.NewReader(text), "/etc/ks3sync/ks3sync.yaml", func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
}

func readPackaged(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("ks3sync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPackagedConfig parses the file installed as /etc/ks3sync/ks3sync.yaml
// with the strict parser: it is valid, keeps state under /var/lib/ks3sync,
// takes the keys from the environment, and has no pair, so the service
// cannot run before it is configured.
func TestPackagedConfig(t *testing.T) {
	c, err := parsePackaged(t, readPackaged(t))
	if err != nil {
		t.Fatalf("packaged config: %v", err)
	}
	if c.State != "/var/lib/ks3sync/state.db" {
		t.Errorf("state = %q, want /var/lib/ks3sync/state.db", c.State)
	}
	if c.AccessKey != "AKLTPACKAGETEST" || c.SecretKey != "not-a-real-secret" {
		t.Errorf("keys = %q/%q, want them from KS3_ACCESS_KEY/KS3_SECRET_KEY", c.AccessKey, c.SecretKey)
	}
	if c.LocalStore() != "" {
		t.Errorf("endpoint %q is the embedded store, want a KS3 endpoint", c.Endpoint)
	}
	if len(c.Pairs) != 0 {
		t.Errorf("%d pairs configured out of the box, want none", len(c.Pairs))
	}
}

// TestPackagedConfigExample uncomments the example pair the way an
// administrator would and parses the result.
func TestPackagedConfigExample(t *testing.T) {
	head, example, ok := strings.Cut(readPackaged(t), "\n# pairs:\n")
	if !ok {
		t.Fatal(`no commented example ("# pairs:") in the packaged config`)
	}
	lines := []string{head, "pairs:"}
	for line := range strings.Lines(example) {
		if rest, ok := strings.CutPrefix(line, "#   "); ok {
			lines = append(lines, "  "+strings.TrimSuffix(rest, "\n"))
		}
	}
	text := strings.Join(lines, "\n")
	c, err := parsePackaged(t, text)
	if err != nil {
		t.Fatalf("packaged config with its example pair: %v\n%s", err, text)
	}
	if len(c.Pairs) != 1 || c.Pairs[0].Name != "srv" || c.Pairs[0].Local != "/srv/data" {
		t.Fatalf("pairs = %+v, want the example pair srv over /srv/data", c.Pairs)
	}
}
