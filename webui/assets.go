package webui

import (
	"embed"
	"net/http"
	"strings"
)

// files are the page and what it loads, served under the same paths.
//
//go:embed assets
var files embed.FS

// page serves the status page.
func page() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, files, "assets/index.html")
	})
}

// assets serves the files under /assets/ (no folder listings), revalidated
// on every load so that a new binary's page never runs an old script.
func assets() http.Handler {
	fileServer := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		fileServer.ServeHTTP(w, r)
	})
}
