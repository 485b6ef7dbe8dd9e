// Command mm-plugin-paper serves mm's paper/replay exchange as an out-of-process connector plugin. mm starts it;
// it is configured over the plugin protocol from the connector.paper section of the bot config. Run by hand it
// only prints go-plugin's notice that it must be started by a host.
package main

import (
	"github.com/mmtoolkit/mm/plugins/paper"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

func main() {
	sdk.Serve(sdk.ServeOpts{Name: "paper", Connector: paper.Unconfigured()})
}
