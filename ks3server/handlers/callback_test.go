package handlers

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// callbackApp is an application server that answers callbacks with answer
// (or not at all when answer is "") and records what it was sent.
type callbackApp struct {
	*httptest.Server
	calls atomic.Int32
	last  atomic.Value // map[string]string
}

func newCallbackApp(t *testing.T, status int, answer string) *callbackApp {
	app := &callbackApp{}
	app.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app.calls.Add(1)
		var doc map[string]string
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &doc); err != nil || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("callback body %q (Content-Type %q): %v", body, r.Header.Get("Content-Type"), err)
		}
		app.last.Store(doc)
		if answer == "" {
			<-r.Context().Done() // never answer
			return
		}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(app.Close)
	return app
}

func TestUploadCallback(t *testing.T) {
	old, data := []byte("previous"), []byte("new content")
	template := "bucket=${bucket}&key=${key}&etag=${etag}&size=${objectSize}&mime=${mimeType}&time=${createTime}&uid=${kss-uid}&fixed=1&unknown=${nope}"
	tests := []struct {
		name   string
		status int
		answer string
		code   string // "" = success
		calls  int32
	}{
		{"accepted", http.StatusOK, `{"result":true}`, "", 1},
		{"refused", http.StatusOK, `{"result":false}`, "CallbackFail", 1},
		{"error status", http.StatusInternalServerError, `{"result":true}`, "CallbackFail", 1},
		{"not json", http.StatusOK, `ok`, "CallbackFail", 1},
		{"never answers", 0, "", "CallbackTimeout", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, func(o *testOptions) { o.CallbackTimeout = 100 * time.Millisecond })
			createBucket(t, s, "bkt")
			putObject(t, s, "bkt", "k", old, nil)
			app := newCallbackApp(t, tc.status, tc.answer)
			w := do(t, s, call{method: "PUT", bucket: "bkt", rawKey: "k", body: data, header: map[string]string{
				"x-kss-callbackurl": app.URL, "x-kss-callbackbody": template, "kss-uid": "42", "Content-Type": "text/plain",
			}})
			if got := app.calls.Load(); got != tc.calls {
				t.Errorf("callback called %d times, want %d", got, tc.calls)
			}
			want := data
			if tc.code != "" {
				wantError(t, w, http.StatusBadRequest, tc.code)
				want = old
			} else if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if got := getBody(t, s, "bkt", "k"); !bytes.Equal(got, want) {
				t.Errorf("object is %q, want %q", got, want)
			}
			if entries, _ := readDirNames(s.root, tmpDir); len(entries) != 0 {
				t.Errorf("temporary files left: %v", entries)
			}
			doc, _ := app.last.Load().(map[string]string)
			sum := md5.Sum(data)
			wantDoc := map[string]string{
				"bucket": "bkt", "key": "k", "etag": base64.StdEncoding.EncodeToString(sum[:]), "size": strconv.Itoa(len(data)),
				"mime": "text/plain", "time": strconv.FormatInt(testNow.Unix(), 10), "uid": "42", "fixed": "1", "unknown": "${nope}",
			}
			for k, v := range wantDoc {
				if doc[k] != v {
					t.Errorf("callback %s = %q, want %q", k, doc[k], v)
				}
			}
		})
	}
}

func TestCompleteCallback(t *testing.T) {
	s := newTestServer(t, func(o *testOptions) { o.CallbackTimeout = 100 * time.Millisecond })
	createBucket(t, s, "bkt")
	id := initiate(t, s, "bkt", "k", nil)
	e1 := uploadPart(t, s, "bkt", "k", id, 1, []byte("only part"))
	refuse := newCallbackApp(t, http.StatusOK, `{"result":false}`)
	complete := call{method: "POST", bucket: "bkt", rawKey: "k", query: "uploadId=" + id, body: completeBody(1, e1),
		header: map[string]string{"x-kss-callbackurl": refuse.URL, "x-kss-callbackbody": "etag=${etag}&size=${objectSize}"}}
	wantError(t, do(t, s, complete), http.StatusBadRequest, "CallbackFail")
	wantError(t, do(t, s, call{method: "GET", bucket: "bkt", rawKey: "k"}), http.StatusNotFound, "NoSuchKey")

	accept := newCallbackApp(t, http.StatusOK, `{"result":true}`)
	complete.header["x-kss-callbackurl"] = accept.URL
	var res completeMultipartUploadResult
	decodeXML(t, mustDo(t, s, complete, http.StatusOK), &res)
	doc := accept.last.Load().(map[string]string)
	if `"`+doc["etag"]+`"` != res.ETag || doc["size"] != "9" {
		t.Errorf("complete callback %v, result %+v", doc, res)
	}

	for name, h := range map[string]map[string]string{
		"url without body": {"x-kss-callbackurl": accept.URL},
		"body without url": {"x-kss-callbackbody": "a=b"},
		"not http":         {"x-kss-callbackurl": "ftp://example.com/", "x-kss-callbackbody": "a=b"},
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, do(t, s, call{method: "PUT", bucket: "bkt", rawKey: "x", body: []byte("x"), header: h}), http.StatusBadRequest, "InvalidArgument")
		})
	}
}
