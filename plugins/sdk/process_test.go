package sdk

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// helperEnv switches the test binary into a plugin: the tests re-execute themselves as the plugin process,
// go-plugin's own plugin_test.go technique (reference/go.md §5.3), so no binary has to be built first.
const helperEnv = "MM_SDK_TEST_PLUGIN"

func TestMain(m *testing.M) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		os.Exit(m.Run())
	}
	opts := ServeOpts{Name: "fake", Connector: newFakeExchange()}
	switch mode {
	case "fake":
		Serve(opts)
	case "stepping": // a replay connector (Stepper), for the lockstep benchmark
		Serve(ServeOpts{Name: "fake", Connector: &steppingFake{fakeExchange: newFakeExchange(), quiet: true}})
	case "v2": // a plugin built against a future, incompatible protocol
		cfg := serveConfig(opts)
		cfg.HandshakeConfig.ProtocolVersion = 2
		cfg.VersionedPlugins = map[int]plugin.PluginSet{2: {PluginName: &ConnectorPlugin{Impl: opts.Connector}}}
		plugin.Serve(cfg)
	case "stdout": // a plugin that breaks the rule of the package comment
		fmt.Println("hello from a careless plugin")
		Serve(opts)
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", helperEnv, mode)
		os.Exit(2)
	}
	os.Exit(0)
}

// launch starts the test binary as a plugin the way mm does: gRPC only, AutoMTLS, a 10 s start timeout
// (reference/go.md §1.1, §1.5, §1.12 P7). Kill always runs, so no test leaves a process behind.
func launch(tb testing.TB, mode string) *plugin.Client {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: HostPlugins(),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     10 * time.Second,
		Logger:           hclog.New(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Error}),
		GRPCDialOptions:  []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageBytes))},
	})
	tb.Cleanup(client.Kill)
	return client
}

func dispense(tb testing.TB, client *plugin.Client) Connector {
	tb.Helper()
	rpc, err := client.Client()
	if err != nil {
		tb.Fatalf("start plugin: %v", err)
	}
	raw, err := rpc.Dispense(PluginName)
	if err != nil {
		tb.Fatalf("dispense: %v", err)
	}
	return raw.(Connector)
}

func TestEveryRPCThroughASubprocess(t *testing.T) {
	client := launch(t, "fake")
	exerciseConnector(t, dispense(t, client)) // ends with Shutdown
	if v := client.NegotiatedVersion(); v != ProtocolVersion {
		t.Errorf("negotiated protocol version %d, want %d", v, ProtocolVersion)
	}
	client.Kill()
	if !client.Exited() {
		t.Fatal("plugin process still running after Shutdown and Kill")
	}
}

// A plugin killed mid-stream is noticed within a second, both by go-plugin and on the stream.
func TestCrashMidStreamIsDetected(t *testing.T) {
	client := launch(t, "fake")
	c := dispense(t, client)
	if err := c.Configure(t.Context(), []byte(`{"tick_every": 1000000}`)); err != nil {
		t.Fatal(err)
	}
	events, err := c.Subscribe(t.Context(), SubscribeRequest{Market: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		<-events
	}
	if err := syscall.Kill(client.ReattachConfig().Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	deadline := time.After(time.Second)
	var streamErr error
	for streamErr == nil {
		select {
		case ev := <-events:
			if se, ok := ev.Payload.(StreamError); ok {
				streamErr = se.Err
			}
		case <-deadline:
			t.Fatal("no stream error within a second of the crash")
		}
	}
	if !errors.Is(streamErr, ErrUnreachable) {
		t.Errorf("stream error = %v, want it to wrap ErrUnreachable", streamErr)
	}
	for !client.Exited() {
		if time.Since(killed) > time.Second {
			t.Fatal("client.Exited() still false a second after the crash")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := c.Balances(t.Context()); !errors.Is(err, ErrUnreachable) {
		t.Errorf("call after crash = %v, want ErrUnreachable", err)
	}
	t.Logf("crash seen on the stream and by Exited() within %v", time.Since(killed))
}

func TestHandshakeFailures(t *testing.T) {
	tests := []struct {
		mode string
		want string
	}{
		{"v2", "incompatible API version with plugin. Plugin version: 2, Client versions: [1]"},
		{"stdout", "Unrecognized remote plugin message: hello from a careless plugin"},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			client := launch(t, tc.mode)
			_, err := client.Client()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("start error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
