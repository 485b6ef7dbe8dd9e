// Package sdk is the contract between mm and its connector plugins: plain Go types, the Connector interface,
// the go-plugin handshake and the gRPC adapters on both sides of the process boundary.
//
// Plugin authors implement Connector with the types of this package and call Serve from main:
//
//	func main() {
//		sdk.Serve(sdk.ServeOpts{Name: "paper", Connector: paper.Unconfigured()})
//	}
//
// They never see protobuf or go-plugin types: the generated code stays in plugins/internal/pb and conversion
// happens here, in toproto.go and fromproto.go (the terraform-plugin-go layout, reference/go.md §1.13 and §5.3).
//
// # Never write to stdout
//
// go-plugin speaks its handshake on the plugin's stdout, so a single fmt.Println before Serve makes the host
// fail with "Unrecognized remote plugin message" (reference/go.md §1.12 P4), and after Serve stdout is a pipe
// nobody reads. Log through ServeOpts.Logger or the Logger that Serve hands out (Logger()): it is an hclog
// JSON logger bound to the original stderr, whose lines go-plugin re-logs at their own level in the host and
// which mm forwards to its slog logger (reference/go.md §1.8, DESIGN.md §4).
//
// # Errors
//
// Domain failures (a rejected order, an unknown market) are *Error values with an ErrorCode; they travel
// inside responses and come back to the host as *Error. Anything that went wrong in the transport — the
// plugin crashed, the connection broke, the handshake failed — wraps ErrUnreachable, which mm maps to exit
// status 5. A plugin that answers with a malformed message (a price that is not a decimal, a stream sequence
// that jumps) is reported with ErrProtocol or a Gap event, never accepted silently (DESIGN.md §9).
//
// # Lockstep replays
//
// A replay connector that implements Stepper can be driven by the host one tick at a time (the Step RPC)
// instead of streaming. The host sends each tick's cancels and places with the Step after the tick
// (ActionStepper, StepActions): this package's server applies them through the connector's own CancelOrders,
// PlaceOrders and Balances, in that order, before it calls StepUntil, so a Stepper only ever steps and a tick
// costs one call instead of three. A plugin built before StepActions steps without applying them; the host asks
// on its first Step and otherwise sends the actions call by call.
package sdk
