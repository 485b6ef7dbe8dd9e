// Command mm-plugin-paper serves mm's paper/replay exchange as an out-of-process connector plugin. mm starts it;
// it is configured over the plugin protocol from the connector.paper section of the bot config. Run by hand it
// only prints go-plugin's notice that it must be started by a host.
package main

import (
	"context"
	"log/slog"

	"github.com/mmtoolkit/mm/plugins/paper"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

func main() {
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
