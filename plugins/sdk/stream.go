package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"

	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

// maxEventsPerMessage bounds how many queued events one stream message carries. Events are batched only when
// the plugin produces them faster than they are sent, so a lone event still leaves at once; under load,
// batching lifts the stream from one gRPC message per event to the ≥ 200,000 events/s of issue 3
// (a single-event stream peaks at 275k–360k msg/s on this machine, reference/go.md §1.11, without any
// decimal conversion).
const maxEventsPerMessage = 256

// hostEventBuffer is the host-side channel depth: enough to absorb one full message while the consumer works.
const hostEventBuffer = 2 * maxEventsPerMessage

// ErrStreamClosed is carried by the StreamError of a stream the plugin ended while the host still wanted it.
var ErrStreamClosed = errors.New("plugin closed the stream")

// Subscribe numbers the plugin's events itself, so a plugin author cannot get the sequence wrong: a gap seen
// by the host then means a broken plugin or transport, never a miscount.
func (s *connectorServer) Subscribe(req *pb.SubscribeRequest, stream pb.ConnectorService_SubscribeServer) error {
	ctx := stream.Context()
	m, perr := requestPair(req.GetMarket())
	if perr != nil {
		return stream.Send(&pb.SubscribeResponse{Error: perr})
	}
	events, err := s.impl.Subscribe(ctx, SubscribeRequest{
		Market: m, DepthLevels: int(req.GetDepthLevels()), PublicTrades: req.GetPublicTrades(),
	})
	if err != nil {
		return stream.Send(&pb.SubscribeResponse{Error: errorToProto(asDomainError(err))})
	}
	if err := stream.Send(&pb.SubscribeResponse{}); err != nil {
		return err
	}
	var seq uint64
	for {
		var ev Event
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case ev, ok = <-events:
			if !ok {
				return nil
			}
		}
		batch := make([]*pb.Event, 0, 8)
		ended := false
		for {
			seq++
			pe, err := eventToProto(seq, ev)
			if err != nil {
				return fmt.Errorf("subscribe: %w", err)
			}
			batch = append(batch, pe)
			if _, ended = ev.Payload.(EndOfData); ended || len(batch) == maxEventsPerMessage {
				break
			}
			select {
			case ev, ok = <-events:
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if err := stream.Send(&pb.SubscribeResponse{Events: batch}); err != nil {
			return err
		}
		if ended {
			return nil // the data ended; closing the stream now is normal (EndOfData)
		}
	}
}

// Subscribe opens the stream and waits for its acknowledgement, so a refused subscription is an error here,
// not an event later. Events then flow through a goroutine that checks every sequence number.
func (c *grpcClient) Subscribe(ctx context.Context, req SubscribeRequest) (<-chan Event, error) {
	const method = "subscribe"
	streamCtx, cancel := context.WithCancel(ctx)
	stream, err := c.connector.Subscribe(streamCtx, &pb.SubscribeRequest{
		Market: pairToProto(req.Market), DepthLevels: uint32(max(req.DepthLevels, 0)), PublicTrades: req.PublicTrades,
	})
	if err != nil {
		cancel()
		return nil, callErr(ctx, method, err)
	}
	ack, err := stream.Recv()
	if err != nil {
		cancel()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %w: stream ended before its acknowledgement", method, ErrProtocol)
		}
		return nil, callErr(ctx, method, err)
	}
	if e := errorFromProto(ack.GetError()); e != nil {
		cancel()
		return nil, fmt.Errorf("%s: %w", method, e)
	}
	if len(ack.GetEvents()) > 0 {
		cancel()
		return nil, fmt.Errorf("%s: %w: first message carries events, want an acknowledgement", method, ErrProtocol)
	}
	out := make(chan Event, hostEventBuffer)
	go func() {
		defer cancel()
		defer close(out)
		readStream(streamCtx, stream, out)
	}()
	return out, nil
}

// readStream forwards events until the stream ends. A forward jump in the sequence becomes a Gap event before
// the event that revealed it; a repeated or backward sequence number, a malformed event or a broken stream ends
// the stream with a StreamError. When ctx is cancelled (the host stopped listening) the channel just closes.
func readStream(ctx context.Context, stream pb.ConnectorService_SubscribeClient, out chan<- Event) {
	emit := func(ev Event) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	fail := func(err error) {
		if ctx.Err() == nil {
			emit(Event{Payload: StreamError{Err: err}})
		}
	}
	next := uint64(1)
	for {
		msg, err := stream.Recv()
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, io.EOF):
			fail(fmt.Errorf("subscribe: %w", ErrStreamClosed))
			return
		case err != nil:
			fail(fmt.Errorf("subscribe: %w: %w", ErrUnreachable, err))
			return
		case msg.GetError() != nil:
			fail(fmt.Errorf("subscribe: %w: error after the acknowledgement: %v", ErrProtocol, errorFromProto(msg.GetError())))
			return
		}
		for i, pe := range msg.GetEvents() {
			d := &decoder{}
			ev := eventFromProto(d, fmt.Sprintf("event seq %d", pe.GetSeq()), pe)
			if d.err != nil {
				fail(fmt.Errorf("subscribe: %w: %w", ErrProtocol, d.err))
				return
			}
			if ev.Seq < next {
				fail(fmt.Errorf("subscribe: %w: sequence went from %d to %d (event %d of its message)",
					ErrProtocol, next-1, ev.Seq, i))
				return
			}
			if ev.Seq > next && !emit(Event{Time: ev.Time, Payload: Gap{Expected: next, Got: ev.Seq}}) {
				return
			}
			next = ev.Seq + 1
			if !emit(ev) {
				return
			}
			if _, end := ev.Payload.(EndOfData); end {
				return // the plugin closes the stream after it: the data ended, nothing broke
			}
		}
	}
}
