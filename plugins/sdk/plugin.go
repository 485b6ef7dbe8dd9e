package sdk

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

// Handshake is compiled into mm and into every plugin. The cookie is a UX guard, not a security measure
// (go-plugin server.go; reference/go.md §1.2): it makes a plugin run by hand say so instead of hanging.
// Never change the value; a breaking protocol change bumps ProtocolVersion instead.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "MM_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "d8992fd4e0e437b43bf594bc82c8d16c866abb9dd42e0f177866a3abc7bb3056",
}

// PluginName is the name under which the connector is dispensed from a plugin's plugin set.
const PluginName = "connector"

// ConnectorPlugin is the go-plugin glue for a Connector. Impl is set on the plugin side only; on the host side
// GRPCClient returns a Connector that speaks gRPC.
type ConnectorPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl Connector
}

var _ plugin.GRPCPlugin = (*ConnectorPlugin)(nil)

// GRPCServer registers the base PluginService and the ConnectorService on the plugin's gRPC server.
func (p *ConnectorPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterPluginServiceServer(s, &pluginServer{impl: p.Impl})
	pb.RegisterConnectorServiceServer(s, &connectorServer{impl: p.Impl})
	return nil
}

// GRPCClient returns the host-side Connector for a connection to a plugin.
func (p *ConnectorPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return newGRPCClient(c), nil
}

// HostPlugins is the VersionedPlugins map of the host: the protocol versions mm speaks. During a migration it
// will hold N and N-1 (reference/go.md §1.3); today only version 1 exists.
func HostPlugins() map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{ProtocolVersion: {PluginName: &ConnectorPlugin{}}}
}

// servedPlugins is the VersionedPlugins map of a plugin serving impl.
func servedPlugins(impl Connector) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{ProtocolVersion: {PluginName: &ConnectorPlugin{Impl: impl}}}
}
