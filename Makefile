# Herald's build. `make help` lists the targets.
# Prerequisite: Go 1.26 or newer (go.mod says 1.26). Everything else is built from the tools
# modules under tools/ into a cache folder outside the clone ($HOME/.cache/herald-tools).

# Every go command run by make uses this toolchain, which the go command fetches from the
# module proxy the first time (about 76 MB): Go 1.26.8's standard library has known
# vulnerabilities (make vulncheck) that 1.27.3 fixes. GO_TOOLCHAIN=local uses the Go on PATH.
GO_TOOLCHAIN ?= go1.27.3
export GOTOOLCHAIN := $(GO_TOOLCHAIN)

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO ?= go
BIN_DIR := bin
HERALD := $(BIN_DIR)/herald
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/herald-dev/herald/internal/version.Version=$(VERSION) -X github.com/herald-dev/herald/internal/version.Commit=$(COMMIT)
# go test flags; e.g. make test TESTFLAGS='-run TestLint -v'
TESTFLAGS ?=
TEST_TIMEOUT ?= 30m

CONTROLLER_GEN = $$(tools/bin.sh codegen sigs.k8s.io/controller-tools/cmd/controller-gen)
GOLANGCI_LINT = $$(tools/bin.sh lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint)
GOVULNCHECK = $$(tools/bin.sh lint golang.org/x/vuln/cmd/govulncheck)
# The Go vulnerability database, as published in the golang.org/x/vulndb module (its
# data/osv folder), since vuln.go.dev is not reachable from the build machines; bump the
# version to take newer reports.
VULNDB ?= golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018
BENCHSTAT = $$(tools/bin.sh lint golang.org/x/perf/cmd/benchstat)
KUBE_ASSETS = $$(tools/controlplane/build.sh)
HELM = $$(tools/bin.sh helm helm.sh/helm/v3/cmd/helm)

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: go-version
go-version: ## Print the Go toolchain make uses (GO_TOOLCHAIN).
	@$(GO) version

.PHONY: build
build: ## Build bin/herald.
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(HERALD) ./cmd/herald

.PHONY: tools
tools: ## Build (or reuse) kube-apiserver, etcd, kubectl, kube-controller-manager, controller-gen, golangci-lint, helm.
	@echo "KUBEBUILDER_ASSETS=$(KUBE_ASSETS)"
	@echo "controller-gen: $(CONTROLLER_GEN)"
	@echo "helm: $(HELM)"
	@echo "golangci-lint: $(GOLANGCI_LINT)"

.PHONY: generate
generate: ## Regenerate deepcopy code and the CRDs in config/crd (and their copy in charts/herald/crds) from api/.
	$(CONTROLLER_GEN) object paths=./api/...
	$(CONTROLLER_GEN) crd:maxDescLen=0 paths=./api/... output:crd:artifacts:config=config/crd/bases
	$(GO) run ./hack/crdpatch config/crd/bases
	rm -f charts/herald/crds/*.yaml && cp config/crd/bases/*.yaml charts/herald/crds/

.PHONY: docs
docs: ## Regenerate the reference pages in docs/reference from the kind registries and api/.
	$(GO) run ./hack/refdocs -out docs/reference

.PHONY: verify
verify: helm-lint ## Check generated files (CRDs, deepcopy, docs/reference) are current, the Helm chart lints, code is gofmt'ed, go.mod is tidy, go vet is clean.
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	  cp -r api config $$tmp/; \
	  $(MAKE) -s generate >/dev/null; \
	  if ! git diff --quiet --no-index $$tmp/config config || ! git diff --quiet --no-index $$tmp/api api; then \
	    echo "generated files are stale: run 'make generate' and commit the result"; \
	    git diff --no-index --stat $$tmp/config config || true; git diff --no-index --stat $$tmp/api api || true; \
	    rm -rf config api; cp -r $$tmp/config $$tmp/api .; exit 1; fi
	@$(GO) run ./hack/refdocs -check -out docs/reference
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt'ed:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...

.PHONY: helm-lint
helm-lint: ## Lint charts/herald and render it with default values and with replicas=3 (helm from tools/helm); check its CRDs are config/crd's.
	@if ! diff -r config/crd/bases charts/herald/crds >/dev/null; then \
	  echo "charts/herald/crds differs from config/crd/bases: run 'make generate'"; diff -rq config/crd/bases charts/herald/crds || true; exit 1; fi
	@helm=$(HELM); set -x; \
	  $$helm lint --strict charts/herald; \
	  $$helm lint --strict charts/herald --set replicas=3; \
	  $$helm template herald charts/herald --namespace herald-system >/dev/null; \
	  $$helm template herald charts/herald --namespace herald-system --set replicas=3 >/dev/null

TEST_PACKAGES := chromium redis-server rabbitmq-server

.PHONY: test-deps
test-deps: ## Install the Debian packages tests start (chromium for the web UI, redis-server, rabbitmq-server) when missing.
	@missing=""; for p in $(TEST_PACKAGES); do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	    $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends $$missing; fi

.PHONY: test
test: verify lint vulncheck build test-deps ## Lint, check for known vulnerabilities, then run every test, the integration tests on a real kube-apiserver and JetStream included.
	@assets=$(KUBE_ASSETS); echo "control plane binaries: $$assets"; \
	  KUBEBUILDER_ASSETS=$$assets HERALD_BIN=$(CURDIR)/$(HERALD) HELM_BIN=$(HELM) $(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(TESTFLAGS) ./...

FUZZTIME ?= 20s

.PHONY: test-fuzz
test-fuzz: ## Run every Go fuzz target for FUZZTIME each (hack/fuzz.sh finds them); e.g. make test-fuzz FUZZTIME=1m.
	FUZZTIME=$(FUZZTIME) hack/fuzz.sh

.PHONY: test-cluster
test-cluster: build ## Run the e2e test of three controller replicas on their clustered embedded bus (not part of make test).
	@assets=$(KUBE_ASSETS); \
	  HERALD_E2E_CLUSTER=1 KUBEBUILDER_ASSETS=$$assets HERALD_BIN=$(CURDIR)/$(HERALD) $(GO) test -count=1 -run 'TestControllerReplicasWithClusteredBus' -v ./test/e2e/

.PHONY: test-soak
test-soak: build ## Run the fault tests (test/fault) with issue #10's long sizes: 20,000 events, 5 SIGKILLs, 500 Services, 60 s outages (not part of make test).
	@assets=$(KUBE_ASSETS); \
	  HERALD_SOAK=1 KUBEBUILDER_ASSETS=$$assets HERALD_BIN=$(CURDIR)/$(HERALD) $(GO) test -count=1 -run . -v -timeout 60m ./test/fault/

.PHONY: lint
lint: ## Run golangci-lint (built from tools/lint).
	$(GOLANGCI_LINT) run ./...

.PHONY: vulncheck
vulncheck: ## Run govulncheck on the code and the toolchain, offline, against the database of $(VULNDB).
	@db=$$($(GO) mod download -json $(VULNDB) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	  test -d "$$db/data/osv" || { echo "vulncheck: no data/osv in $(VULNDB)"; exit 1; }; \
	  echo "govulncheck: $$($(GO) env GOVERSION), database $(VULNDB)"; \
	  $(GOVULNCHECK) -db "file://$$db/data/osv" ./...

.PHONY: bench
bench: ## Run the go test micro-benchmarks and compare with the previous run (benchstat).
	@mkdir -p _output; [ -f _output/bench.new.txt ] && mv _output/bench.new.txt _output/bench.old.txt || true
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./... | tee _output/bench.new.txt
	@if [ -f _output/bench.old.txt ]; then $(BENCHSTAT) _output/bench.old.txt _output/bench.new.txt; fi

.PHONY: bench-e2e
bench-e2e: ## Run the shared end-to-end harness on Herald (A1-A3, B; embedded and external bus; ceilings) into _output/bench-e2e/; e.g. SCENARIOS=A1 BUSES=embedded SMOKE=1 (docs/bench-e2e.md).
	bench/run.sh

.PHONY: demo
demo: build ## Run the auto-ingress example on a local control plane (Ctrl-C stops everything).
	hack/demo.sh

.PHONY: clean
clean: ## Remove build outputs (the tools cache outside the clone stays).
	rm -rf $(BIN_DIR) _output
