package feed

import "io"

// asyncReader reads ahead from r in its own goroutine, so that gzip inflation (about a fifth of capture replay
// in the BenchmarkCaptureReplay profile) runs on a second core while the caller parses. Order and content are
// exactly r's; only the timing changes, so replay stays deterministic. close must be called, and it waits for
// the goroutine, so r may be closed afterwards without racing it.
type asyncReader struct {
	full    chan readChunk
	free    chan []byte
	done    chan struct{}
	exited  chan struct{}
	cur     []byte // unread part of the current chunk
	buf     []byte // the current chunk's buffer, returned to free when consumed
	err     error
	stopped bool
}

type readChunk struct {
	data []byte
	err  error
}

const (
	asyncChunkSize = 256 << 10
	asyncChunks    = 4
)

func newAsyncReader(r io.Reader) *asyncReader {
	a := &asyncReader{
		full:   make(chan readChunk, asyncChunks),
		free:   make(chan []byte, asyncChunks),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	for range asyncChunks {
		a.free <- make([]byte, asyncChunkSize)
	}
	go a.fill(r)
	return a
}

func (a *asyncReader) fill(r io.Reader) {
	defer close(a.exited)
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.done:
			return
		}
		n, err := 0, error(nil)
		for n < len(buf) && err == nil {
			var k int
			k, err = r.Read(buf[n:])
			n += k
		}
		select {
		case a.full <- readChunk{data: buf[:n], err: err}:
		case <-a.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *asyncReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.buf != nil {
			a.free <- a.buf[:cap(a.buf)]
			a.buf = nil
		}
		c := <-a.full
		a.cur, a.buf, a.err = c.data, c.data, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// close stops the goroutine and waits for it to return.
func (a *asyncReader) close() {
	if a.stopped {
		return
	}
	a.stopped = true
	close(a.done)
	<-a.exited
}
