package callback

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

func TestAddressKind(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1": "loopback", "127.9.9.9": "loopback", "::1": "loopback",
		"::ffff:127.0.0.1": "loopback", "0.0.0.0": "unspecified", "::": "unspecified",
		"0.1.2.3": "not public", "169.254.169.254": "link-local", "fe80::1": "link-local",
		"10.1.2.3": "private", "172.16.0.1": "private", "192.168.1.1": "private", "fd00::1": "private",
		"100.64.0.1": "not public", "239.1.2.3": "multicast", "224.0.0.1": "link-local", "64:ff9b::a00:1": "private",
		"8.8.8.8": "", "2001:4860:4860::8888": "", "64:ff9b::808:808": "",
	} {
		if got := addressKind(netip.MustParseAddr(addr)); got != want {
			t.Errorf("addressKind(%s) = %q, want %q", addr, got, want)
		}
	}
}

// accepting is an application that accepts every callback.
func accepting(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"result":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPosterRefusesLoopback(t *testing.T) {
	app := accepting(t)
	spec := &Spec{url: app.URL, template: "k=${key}"}
	err := NewPoster(Options{Timeout: time.Second}).Run(context.Background(), spec, Vars{Key: "k"})
	var ae apierr.Error
	if !errors.As(err, &ae) || ae.Code != "CallbackFail" || !strings.Contains(ae.Message, "127.0.0.1 (loopback)") {
		t.Fatalf("callback to loopback: %v, want CallbackFail naming the address", err)
	}
	if err := NewPoster(Options{Timeout: time.Second, AllowPrivate: true}).Run(context.Background(), spec, Vars{Key: "k"}); err != nil {
		t.Fatalf("callback to loopback with AllowPrivate: %v", err)
	}
}
