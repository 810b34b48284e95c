# ks3sync — build and test. `make test` is the whole suite CI runs.
GO ?= go

.PHONY: all build test vet lint tidy-check cross demo bench-smoke clean

all: build

build:
	$(GO) build -o ks3sync ./cmd/ks3sync

# The full suite: dependencies, formatting, vet, module tidiness, unit +
# end-to-end tests under the race detector, cross-compilation.
test:
	./scripts/test.sh

vet:
	$(GO) vet ./...

tidy-check:
	./scripts/tidy-check.sh

cross:
	./scripts/cross.sh

# A real sync of testdata/demo into the embedded local store.
demo:
	$(GO) run ./cmd/ks3sync run --config ks3sync.yaml.example

clean:
	rm -f ks3sync
	rm -rf .ks3sync
