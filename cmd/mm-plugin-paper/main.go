// Command mm-plugin-paper serves mm's paper/replay exchange as an out-of-process connector plugin. mm starts it;
// it is configured over the plugin protocol from the connector.paper section of the bot config. Run by hand it
// only prints go-plugin's notice that it must be started by a host.
package main

import (
	"context"
	"log/slog"
	"os"
	"runtime"

	"github.com/mmtoolkit/mm/plugins/paper"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

func main() {
	// The paper exchange answers one call at a time under its lock, and in a lockstep replay the host waits on
	// every answer: a second processor only adds thread hand-offs between gRPC's goroutines to each round trip.
	// One is measurably faster (docs/BENCHMARKS.md: a year of 1m klines through the plugin); GOMAXPROCS in the
	// environment still decides when it is set.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	sdk.Serve(sdk.ServeOpts{Name: "paper", Connector: describing{Exchange: paper.Unconfigured(), log: sdk.Logger("paper")}})
}

// describing logs the fill model and its assumptions once the exchange is configured, so the host's log says
// which model produced the fills (DESIGN.md §5: "the model in use is printed at start").
type describing struct {
	*paper.Exchange
	log *slog.Logger
}

func (d describing) Configure(ctx context.Context, configJSON []byte) error {
	if err := d.Exchange.Configure(ctx, configJSON); err != nil {
		return err
	}
	d.log.Info("paper exchange configured", "model", d.Describe())
	return nil
}
