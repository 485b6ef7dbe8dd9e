# mm — build, run, test. A fresh clone needs only Go (see README.md).
GO       ?= go
BIN      := bin
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
# Every plugin binary lives in cmd/mm-plugin-<name>; make build puts them beside mm in ./bin.
PLUGINS  := $(patsubst cmd/%,%,$(wildcard cmd/mm-plugin-*))

.PHONY: all build run test bench lint proto klines clean

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/mm ./cmd/mm
	@for p in $(PLUGINS); do echo "$(GO) build -o $(BIN)/$$p ./cmd/$$p"; \
		$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/$$p ./cmd/$$p || exit 1; done

# The main job. Until `mm run` lands it explains the inventory skew of a sample portfolio that holds more base
# than its target, with the ratio sweep of the same configuration.
run: build
	$(BIN)/mm skew-calc --market BTC-USDT --base 1.6 --quote 40000 --price 60000 \
		--target-base-pct 50 --range-multiplier 2 --order-amount 0.05 --order-levels 3 --order-level-amount 0.02 \
		--bid-spread 0.2 --ask-spread 0.2 --order-level-spread 0.1 --step 0.0001 --tick 0.01 --min-notional 5
	$(BIN)/mm skew-calc --base 1.6 --quote 40000 --price 60000 --range-multiplier 2 --order-amount 0.05 \
		--order-levels 3 --order-level-amount 0.02 --sweep --sweep-step 10

test: lint
	$(GO) test -race -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

lint:
	@out=$$(gofmt -l .); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# A seeded synthetic year of Binance-format 1m klines for examples/klines-backtest.yaml and the replay benchmarks.
klines: examples/data/btcusdt-1m.csv

examples/data/btcusdt-1m.csv: examples/klinegen/main.go
	@mkdir -p examples/data
	$(GO) run ./examples/klinegen -seed 1 -days 365 -out $@

# Regenerates plugins/internal/pb from plugins/proto with the generators pinned in tools/proto (needs protoc;
# a fresh clone never needs this: the generated code is committed).
proto:
	sh plugins/proto/generate.sh

clean:
	rm -rf $(BIN)
