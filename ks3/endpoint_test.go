package ks3

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		field string // "" = valid
	}{
		{"host", Options{Endpoint: "ks3-cn-beijing.ksyuncs.com"}, ""},
		{"host and port", Options{Endpoint: "127.0.0.1:9000", AccessKey: "a", SecretKey: "s"}, ""},
		{"scheme", Options{Endpoint: "https://ks3-cn-beijing.ksyuncs.com/"}, ""},
		{"empty endpoint", Options{}, "Endpoint"},
		{"bad scheme", Options{Endpoint: "ftp://host"}, "Endpoint"},
		{"endpoint with path", Options{Endpoint: "http://host/bucket"}, "Endpoint"},
		{"endpoint with query", Options{Endpoint: "host?x=1"}, "Endpoint"},
		{"bad addressing", Options{Endpoint: "host", Addressing: "cname"}, "Addressing"},
		{"access key alone", Options{Endpoint: "host", AccessKey: "a"}, "SecretKey"},
		{"secret key alone", Options{Endpoint: "host", SecretKey: "s"}, "AccessKey"},
		{"token alone", Options{Endpoint: "host", SecurityToken: "t"}, "SecurityToken"},
		{"negative attempts", Options{Endpoint: "host", Retry: RetryPolicy{MaxAttempts: -1}}, "Retry.MaxAttempts"},
		{"negative delay", Options{Endpoint: "host", Retry: RetryPolicy{BaseDelay: -1}}, "Retry.BaseDelay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("New: %v", err)
			case tt.field != "" && (err == nil || !strings.Contains(err.Error(), tt.field)):
				t.Errorf("New = %v, want an error naming %s", err, tt.field)
			}
		})
	}
}

func TestEndpointURL(t *testing.T) {
	tests := []struct {
		endpoint   string
		secure     bool
		addressing Addressing
		bucket     string
		key        string
		want       string
	}{
		{"ks3-cn-beijing.ksyuncs.com", false, "", "b", "k/x y", "http://b.ks3-cn-beijing.ksyuncs.com/k/x%20y"},
		{"ks3-cn-beijing.ksyuncs.com", true, "", "b", "", "https://b.ks3-cn-beijing.ksyuncs.com/"},
		{"http://ks3-cn-beijing.ksyuncs.com", true, "", "b", "k", "http://b.ks3-cn-beijing.ksyuncs.com/k"},
		{"ks3-cn-beijing.ksyuncs.com", false, AddressingPath, "b", "k", "http://ks3-cn-beijing.ksyuncs.com/b/k"},
		{"ks3-cn-beijing.ksyuncs.com", false, AddressingPath, "b", "", "http://ks3-cn-beijing.ksyuncs.com/b/"},
		{"img.example.com", false, AddressingDomain, "b", "a//b", "http://img.example.com/a/%2Fb"},
		{"127.0.0.1:9000", false, AddressingVirtual, "b", "k", "http://127.0.0.1:9000/b/k"},
		{"[::1]:9000", false, "", "b", "k", "http://[::1]:9000/b/k"},
		{"localhost:9000", false, "", "b", "k", "http://localhost:9000/b/k"},
		{"ks3-cn-beijing.ksyuncs.com", false, "", "my_bucket", "k", "http://ks3-cn-beijing.ksyuncs.com/my_bucket/k"},
		{"ks3-cn-beijing.ksyuncs.com", false, "", "", "", "http://ks3-cn-beijing.ksyuncs.com/"},
	}
	for _, tt := range tests {
		ep, err := parseEndpoint(tt.endpoint, tt.secure, tt.addressing)
		if err != nil {
			t.Fatalf("parseEndpoint(%q): %v", tt.endpoint, err)
		}
		if got := ep.url(tt.bucket, tt.key, "").String(); got != tt.want {
			t.Errorf("%q %v %q: url(%q, %q) = %s, want %s", tt.endpoint, tt.secure, tt.addressing, tt.bucket, tt.key, got, tt.want)
		}
	}
}

// dialTo returns a transport that connects every request to addr,
// whatever its host, so that host names can be tested on 127.0.0.1.
func dialTo(addr string) *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// TestAddressingOnTheWire reproduces V-WIRE W1/W2 and the GO variant of S6:
// the bucket moves between host and path, the signature stays the same.
func TestAddressingOnTheWire(t *testing.T) {
	const s1Auth = "KSS " + vecAK + ":CqU8SWFNZ9B2hKvSn0EQMJ/lxWo="
	tests := []struct {
		name       string
		endpoint   string
		addressing Addressing
		key        string
		wantHost   string
		wantURI    string
		wantAuth   string
	}{
		{"virtual", "ks3-cn-beijing.ksyuncs.com", "", "photos/2019/cat.jpg",
			"example-bucket.ks3-cn-beijing.ksyuncs.com", "/photos/2019/cat.jpg", s1Auth},
		{"path", "ks3-cn-beijing.ksyuncs.com", AddressingPath, "photos/2019/cat.jpg",
			"ks3-cn-beijing.ksyuncs.com", "/example-bucket/photos/2019/cat.jpg", s1Auth},
		{"domain", "img.example.com", AddressingDomain, "photos/2019/cat.jpg",
			"img.example.com", "/photos/2019/cat.jpg", s1Auth},
		{"localhost is path style", "localhost", "", "photos/2019/cat.jpg",
			"localhost", "/example-bucket/photos/2019/cat.jpg", s1Auth},
		{"S6 GO variant", "ks3-cn-beijing.ksyuncs.com", "", "/a b*c~d+e/中文.txt",
			"example-bucket.ks3-cn-beijing.ksyuncs.com", "/%2Fa%20b%2Ac~d%2Be/%E4%B8%AD%E6%96%87.txt",
			"KSS " + vecAK + ":s2CLePisNKxtfZIkJPGOvtVfLFM="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, answer(200, map[string]string{"Content-Length": "0"}, ""))
			c := newTestClient(t, s, func(o *Options) {
				o.Endpoint, o.Addressing, o.Transport = tt.endpoint, tt.addressing, dialTo(s.Listener.Addr().String())
			})
			obj, err := c.GetObject(t.Context(), "example-bucket", tt.key, GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			obj.Body.Close()
			rec := s.requests()[0]
			if rec.Host != tt.wantHost || rec.RequestURI != tt.wantURI {
				t.Errorf("request to %s %s, want %s %s", rec.Host, rec.RequestURI, tt.wantHost, tt.wantURI)
			}
			if got := rec.Header.Get("Authorization"); got != tt.wantAuth {
				t.Errorf("Authorization = %s, want %s", got, tt.wantAuth)
			}
		})
	}
}

// TestHeaderNamesOnTheWire reads the raw request to check that user
// metadata names go out lower-case and that a body-less PUT carries
// Content-Length: 0.
func TestHeaderNamesOnTheWire(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lines := make(chan []string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			lines <- nil
			return
		}
		defer conn.Close()
		var got []string
		tp := textproto.NewReader(bufio.NewReader(conn))
		for {
			line, err := tp.ReadLine()
			if err != nil || line == "" {
				break
			}
			got = append(got, line)
		}
		conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		lines <- got
	}()
	c, err := New(Options{Endpoint: ln.Addr().String(), AccessKey: vecAK, SecretKey: vecSK, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutObject(t.Context(), "b", "k", nil, 0, PutOptions{Metadata: map[string]string{"Mixed-Case": "v"}, ACL: "private"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	select {
	case got = <-lines:
	case <-time.After(10 * time.Second):
		t.Fatal("no request")
	}
	for _, want := range []string{"PUT /b/k HTTP/1.1", "x-kss-meta-mixed-case: v", "x-kss-acl: private", "Content-Length: 0"} {
		found := false
		for _, l := range got {
			found = found || l == want
		}
		if !found {
			t.Errorf("request lacks line %q:\n%s", want, strings.Join(got, "\n"))
		}
	}
}

// TestKeysOnTheWire checks that net/http sends the encoded key verbatim
// (no re-escaping, no path cleaning) and that it decodes back to the key.
func TestKeysOnTheWire(t *testing.T) {
	keys := []string{"a b", "a+b", "100%", "%2F", "a//b", "/lead", "//", "a/./b", "a/../b", "q?x=1#f", "*~!$&'()",
		"中文/😀", "trail/", "semi;colon", "\x7f\x01", strings.Repeat("k", 1024)}
	s := newTestServer(t, answer(200, nil, ""))
	c := newTestClient(t, s)
	for _, key := range keys {
		if err := c.DeleteObject(t.Context(), "b", key); err != nil {
			t.Fatalf("DeleteObject(%q): %v", key, err)
		}
	}
	for i, rec := range s.requests() {
		want := "/b/" + encodeKey(keys[i])
		if rec.RequestURI != want {
			t.Errorf("key %q: request URI %q, want %q", keys[i], rec.RequestURI, want)
		}
		wantAuth(t, rec, "DELETE\n\n\n"+vecDate+"\n"+want)
	}
}
