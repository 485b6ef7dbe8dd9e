package paper

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/mmtoolkit/mm/plugins/sdk"
)

// streamBuffer is the channel capacity of a stream: enough to keep replay running while the consumer
// journals a batch, small enough that a stalled consumer stops the replay instead of buffering it.
const streamBuffer = 1024

// Subscribe steps the feed in a goroutine and delivers the events on the channel until ctx is done or the
// feed ends (then the channel is closed: after an EndOfData event when the feed ended cleanly, without one when
// it failed, and Err says why). Events queued by calls between
// steps are delivered too. Seq numbers this stream from 1. One stream at a time: a second Subscribe while one
// runs is refused. Config.Pace sets the speed: 0 as fast as possible, 1 real time relative to the first
// event, other values a speed factor — for live-like rehearsals of a cron setup on recorded data.
func (e *Exchange) Subscribe(ctx context.Context, req sdk.SubscribeRequest) (<-chan sdk.Event, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return nil, err
	}
	if err := e.checkMarket(req.Market); err != nil {
		return nil, err
	}
	if e.subscribed {
		return nil, sdk.Errorf(sdk.CodeInvalidRequest, "paper exchange: a stream is already running")
	}
	if req.DepthLevels < 0 {
		return nil, sdk.Errorf(sdk.CodeInvalidRequest, "depth levels %d: must be ≥ 0", req.DepthLevels)
	}
	e.subscribed, e.depthLevels = true, req.DepthLevels
	streamCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	e.stop, e.streamDone = stop, done
	out := make(chan sdk.Event, streamBuffer)
	s := &stream{e: e, ctx: streamCtx, out: out, publicTrades: req.PublicTrades, pace: e.cfg.Pace}
	go func() {
		defer close(done)
		defer close(out)
		defer stop()
		s.run()
		e.mu.Lock()
		e.subscribed, e.depthLevels = false, 0
		e.mu.Unlock()
	}()
	return out, nil
}

// shutdownStream stops a running stream and waits for its goroutine; it must be called without the lock.
func (e *Exchange) shutdownStream() {
	e.mu.Lock()
	stop, done := e.stop, e.streamDone
	e.stop, e.streamDone = nil, nil
	e.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

type stream struct {
	e            *Exchange
	ctx          context.Context
	out          chan<- sdk.Event
	publicTrades bool
	pace         float64
	seq          uint64

	started              bool
	wallStart, feedStart time.Time
}

func (s *stream) run() {
	for {
		if s.pace > 0 && !s.waitForNextEvent() {
			return
		}
		s.e.mu.Lock()
		var events []sdk.Event
		err := s.e.usable()
		if err == nil {
			events, err = s.e.step()
		}
		now := s.e.now
		s.e.mu.Unlock()
		if !s.send(events) {
			return
		}
		if errors.Is(err, io.EOF) {
			// The feed ended cleanly: say so, so that the host ends the run as at the end of an in-process
			// replay instead of taking the closed stream for a crash. A feed error closes without it (Err).
			s.send([]sdk.Event{{Time: now, Payload: sdk.EndOfData{}}})
			return
		}
		if err != nil {
			return
		}
	}
}

// waitForNextEvent sleeps until the next feed event is due at the stream's pace, delivering the events of
// calls made meanwhile. It returns false when the stream must end.
func (s *stream) waitForNextEvent() bool {
	s.e.mu.Lock()
	next, err := s.e.peekTime()
	s.e.mu.Unlock()
	if err != nil {
		return true // Step reports it
	}
	if !s.started {
		s.started, s.wallStart, s.feedStart = true, time.Now(), next
	}
	due := s.wallStart.Add(time.Duration(float64(next.Sub(s.feedStart)) / s.pace))
	timer := time.NewTimer(time.Until(due))
	defer timer.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return false
		case <-timer.C:
			return true
		case <-s.e.notify:
			s.e.mu.Lock()
			events := s.e.takeEvents()
			s.e.mu.Unlock()
			if !s.send(events) {
				return false
			}
		}
	}
}

func (s *stream) send(events []sdk.Event) bool {
	for _, ev := range events {
		if _, isTrade := ev.Payload.(sdk.PublicTrade); isTrade && !s.publicTrades {
			continue
		}
		s.seq++
		ev.Seq = s.seq
		select {
		case s.out <- ev:
		case <-s.ctx.Done():
			return false
		}
	}
	return s.ctx.Err() == nil
}
