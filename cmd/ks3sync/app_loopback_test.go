package main

import "testing"

func TestLoopbackEndpoint(t *testing.T) {
	for endpoint, want := range map[string]bool{
		"127.0.0.1:9000":              true,
		"http://127.0.0.1:9000":       true,
		"http://127.0.0.2:9000/":      true,
		"localhost:9000":              true,
		"LOCALHOST":                   true,
		"http://[::1]:9000":           true,
		"[::1]:9000":                  true,
		"::1":                         true,
		"ks3-cn-beijing.ksyuncs.com":  false,
		"https://10.0.0.5:9000":       false,
		"localhost.example.com":       false,
		"http://127.0.0.1.nip.io:900": false,
		"":                            false,
	} {
		if got := loopbackEndpoint(endpoint); got != want {
			t.Errorf("loopbackEndpoint(%q) = %v, want %v", endpoint, got, want)
		}
	}
}
