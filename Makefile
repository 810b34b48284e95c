# ks3sync — build and test. `make test` is the whole suite CI runs.
GO ?= go

.PHONY: all build test chaos vet tidy-check cross demo bench bench-smoke clean release-snapshot release-check screenshots wine-e2e

all: build

build:
	$(GO) build -o ks3sync ./cmd/ks3sync

# The full suite: dependencies, formatting, vet, module tidiness, unit +
# end-to-end tests under the race detector, cross-compilation.
test:
	./scripts/test.sh

# The full fault campaign of RELIABILITY.md (kill -9, server kill, injected
# faults, hung server, bad input, server security, secrets), about 5 minutes
# on 2 cores, ending with its figures table. `make test` runs a quick subset.
# Replay a failure with KS3SYNC_CHAOS_SEED=N, as the failing test prints.
chaos:
	cd e2e && $(GO) test -tags chaos -count=1 -timeout 30m -run Chaos

vet:
	$(GO) vet ./...

tidy-check:
	./scripts/tidy-check.sh

cross:
	./scripts/cross.sh

# A snapshot release in dist/ (archives, .deb/.rpm, SBOMs, checksums; nothing
# is published), and the same built on a fresh clone with its artifacts
# checked, the .deb installed and removed (root, Debian).
release-snapshot:
	./scripts/release-snapshot.sh

release-check:
	./scripts/release-check.sh

# The Windows build under Wine against serve (installs wine64 and mingw-w64,
# about 1.6 GB, on first use); on demand, not part of `make test`.
wine-e2e:
	./scripts/wine-e2e.sh

# A real sync of testdata/demo into the embedded local store.
demo:
	$(GO) run ./cmd/ks3sync run --config ks3sync.yaml.example

# Screenshots of the status page (desktop light and dark, 360 px wide) in
# docs/screenshots, taken by the end-to-end test in headless Chromium.
screenshots:
	KS3SYNC_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test ./e2e/ -run TestWebStatusPage -count=1

# ks3sync against rclone and the AWS CLI on the same data (20-30 minutes);
# see BENCHMARKS.md. bench-smoke is the one-minute version CI runs.
bench:
	./bench/run.sh

bench-smoke:
	./bench/run.sh --smoke

clean:
	rm -f ks3sync
	rm -rf .ks3sync dist
