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

# The main job: a paper market maker on the built-in seeded synthetic market (no files needed), journaled into
# demo.db (recreated each time), then the history report and the PnL decomposition of that run.
run: build
	@rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/mm run --config examples/synthetic.yaml --journal demo.db
	$(BIN)/mm history --journal demo.db
	$(BIN)/mm pnl --journal demo.db

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
