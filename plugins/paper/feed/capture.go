package feed

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// GapError is a break in the depth update ids: the book should continue at update id Expected, but the next
// event starts at First (Binance spot: "If U > the book's id + 1, events were lost", reference/exchanges.md
// "Public market streams" step 4). File and Line locate the event that revealed it.
type GapError struct {
	File     string
	Line     int
	Expected uint64 // the book's last applied id + 1 (the snapshot's lastUpdateId + 1 while bootstrapping)
	First    uint64 // U of the event that arrived
	Last     uint64 // u of the event that arrived
}

func (e *GapError) Error() string {
	return fmt.Sprintf("%s:%d: depth gap: expected update id %d next, got U=%d u=%d (%d updates lost)",
		e.File, e.Line, e.Expected, e.First, e.Last, e.First-e.Expected)
}

// ErrNoSnapshot is wrapped by the error returned at the end of a capture that held depth updates but no usable
// REST snapshot, so the book was never built (PROVENANCE.md: btcusdt_20240809 replays only after 20240808).
var ErrNoSnapshot = errors.New("depth updates but no REST depth snapshot: the book was never built")

// CaptureOptions tune OpenCaptureWith.
type CaptureOptions struct {
	// ResyncOnGap chooses what a depth gap does. Live, Binance's procedure is to rebuild from a new REST
	// snapshot; a capture cannot fetch one, so by default a gap ends the replay with a *GapError (a replay on a
	// book with holes would fill orders against levels that are wrong). With ResyncOnGap the capture emits a
	// KindBookInvalid event carrying the *GapError, empties the book, buffers depth updates again, and
	// rebuilds from the next snapshot line in the input, exactly as at the start; top-of-book and trade events
	// keep flowing meanwhile.
	ResyncOnGap bool
}

type syncState uint8

const (
	awaitingSnapshot syncState = iota // buffering depth updates until a snapshot line
	inSync                            // every depth update continues the book
)

type position struct {
	file string
	line int
}

type bufferedDepth struct {
	event Event
	pos   position
}

// Capture replays a Binance WebSocket capture (PROVENANCE.md: gzip, one `<local ns> <raw JSON>` per line) as
// events in the order they were received. It builds the order book with Binance's documented spot procedure
// (reference/exchanges.md "Public market streams"): buffer depth updates, take the REST snapshot, drop updates
// with u ≤ lastUpdateId, require the first kept update to satisfy U ≤ lastUpdateId+1 ≤ u, then require every
// update's U to be at most the book's id + 1 (ignoring updates with u ≤ the book's id).
//
// Book events are applied to Book() as Next returns them, so after each Next the book is the book as of that
// event. A snapshot is returned as KindBookSnapshot (all its levels) and the buffered updates it validates follow
// it, stamped with the snapshot's receive time: that is when the book learned them, and it keeps Time monotonic.
// Depth updates dropped by the procedure are not returned. Several files continue one book (20240809 continues
// 20240808 with no snapshot of its own). A snapshot line arriving while the book is in sync is ignored: the
// continuous update stream already says everything it does.
type Capture struct {
	opts  CaptureOptions
	paths []string
	next  int // index in paths of the next file to open

	file    *os.File
	gz      *gzip.Reader
	ahead   *asyncReader
	scanner *bufio.Scanner
	pos     position

	lastNS  int64
	lastPos position
	symbol  string

	levels    []Level // parse scratch, see parseCaptureLine
	book      *Book
	state     syncState
	lastID    uint64 // u of the last update accepted into the book (or the snapshot's id)
	buffered  []bufferedDepth
	queue     []Event // events ready to return, from queueHead on
	queueHead int
	seq       uint64
	err       error

	sawDepth, bootstrapped bool
}

// OpenCapture opens one or more capture files, replayed in the given order as one stream, with default options
// (a depth gap is an error).
func OpenCapture(paths ...string) (*Capture, error) {
	return OpenCaptureWith(CaptureOptions{}, paths...)
}

// OpenCaptureWith opens capture files with options. Every file must exist; they are read one at a time.
func OpenCaptureWith(opts CaptureOptions, paths ...string) (*Capture, error) {
	if len(paths) == 0 {
		return nil, errors.New("feed: capture: no files")
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("feed: capture: %w", err)
		}
	}
	return &Capture{opts: opts, paths: paths, book: NewBook()}, nil
}

// Book is the order book built so far. It is live: the next call to Next may change it. Capture is a
// BookSource: a paper exchange replaying it reads this book rather than keeping its own copy.
func (c *Capture) Book() *Book { return c.book }

// InSync reports whether the book is bootstrapped and continuous.
func (c *Capture) InSync() bool { return c.state == inSync }

// Close closes the file being read. Next returns an error afterwards.
func (c *Capture) Close() error {
	if c.err == nil {
		c.err = errors.New("feed: capture closed")
	}
	return c.closeFile()
}

func (c *Capture) closeFile() error {
	if c.file == nil {
		return nil
	}
	c.ahead.close()
	errGz := c.gz.Close()
	errFile := c.file.Close()
	c.file, c.gz, c.ahead, c.scanner = nil, nil, nil, nil
	return errors.Join(errGz, errFile)
}

// Next returns the next event, io.EOF at the end, or an error naming file and line: malformed lines, local
// time going backwards, a second symbol, a depth gap (*GapError), a capture without a snapshot (ErrNoSnapshot).
// Errors are final.
func (c *Capture) Next() (Event, error) {
	for c.err == nil {
		if c.queueHead < len(c.queue) {
			ev := c.queue[c.queueHead]
			c.queue[c.queueHead] = Event{}
			if c.queueHead++; c.queueHead == len(c.queue) {
				c.queue, c.queueHead = c.queue[:0], 0
			}
			return c.emit(ev)
		}
		line, err := c.readLine()
		if err != nil {
			c.fail(err)
			break
		}
		msg, err := parseCaptureLine(line, &c.levels)
		if err != nil {
			c.fail(fmt.Errorf("%s:%d: %w", c.pos.file, c.pos.line, err))
			break
		}
		if err := c.checkOrder(msg); err != nil {
			c.fail(err)
			break
		}
		ev := msg.event
		ev.Time = time.Unix(0, msg.localNS).UTC()
		switch ev.Kind {
		case KindTopOfBook, KindTrade:
			return c.emit(ev)
		case KindBookUpdate:
			c.sawDepth = true
			c.onDepth(ev, c.pos)
		case KindBookSnapshot:
			c.onSnapshot(ev, c.pos)
		}
	}
	return Event{}, c.err
}

func (c *Capture) fail(err error) {
	if err == io.EOF && c.sawDepth && !c.bootstrapped {
		err = fmt.Errorf("feed: %s: %w (replay it after the file that holds the snapshot)", c.paths[0], ErrNoSnapshot)
	}
	c.err = err
	_ = c.closeFile()
}

func (c *Capture) emit(ev Event) (Event, error) {
	if err := c.book.Apply(ev); err != nil {
		c.fail(err)
		return Event{}, c.err
	}
	c.seq++
	ev.Seq = c.seq
	return ev, nil
}

// checkOrder enforces what replay relies on: local time never goes backwards (equal is fine, PROVENANCE.md
// "order replay by the local timestamp") and one capture holds one symbol (one book).
func (c *Capture) checkOrder(msg captureLine) error {
	if msg.localNS < c.lastNS {
		return fmt.Errorf("%s:%d: local time %d goes backwards (%s:%d has %d)",
			c.pos.file, c.pos.line, msg.localNS, c.lastPos.file, c.lastPos.line, c.lastNS)
	}
	c.lastNS, c.lastPos = msg.localNS, c.pos
	if msg.symbol == nil {
		return nil
	}
	if c.symbol == "" {
		c.symbol = string(msg.symbol)
	} else if string(msg.symbol) != c.symbol {
		return fmt.Errorf("%s:%d: symbol %s, but the capture so far is %s (one capture, one book)",
			c.pos.file, c.pos.line, msg.symbol, c.symbol)
	}
	return nil
}

// onDepth applies step 4 of the spot procedure to an update, or buffers it while there is no book.
func (c *Capture) onDepth(ev Event, pos position) {
	if c.state == awaitingSnapshot {
		c.buffered = append(c.buffered, bufferedDepth{event: ev, pos: pos})
		return
	}
	if ev.LastUpdateID <= c.lastID {
		return // older than the book: Binance says ignore it
	}
	if ev.FirstUpdateID > c.lastID+1 {
		c.gap(&GapError{File: pos.file, Line: pos.line, Expected: c.lastID + 1,
			First: ev.FirstUpdateID, Last: ev.LastUpdateID}, bufferedDepth{event: ev, pos: pos})
		return
	}
	c.lastID = ev.LastUpdateID
	c.queue = append(c.queue, ev)
}

func (c *Capture) gap(g *GapError, revealing bufferedDepth) {
	if !c.opts.ResyncOnGap {
		c.fail(g)
		return
	}
	c.state = awaitingSnapshot
	// The update that revealed the gap may still be usable after the next snapshot, so it starts the buffer.
	c.buffered = append(c.buffered[:0], revealing)
	c.queue = append(c.queue, Event{Kind: KindBookInvalid, Time: revealing.event.Time, Gap: g})
}

// onSnapshot bootstraps the book (steps 2–4 of the spot procedure) when it is waiting for one.
func (c *Capture) onSnapshot(snap Event, pos position) {
	if c.state == inSync {
		return
	}
	kept := c.buffered
	for len(kept) > 0 && kept[0].event.LastUpdateID <= snap.LastUpdateID {
		kept = kept[1:]
	}
	if len(kept) > 0 && kept[0].event.FirstUpdateID > snap.LastUpdateID+1 {
		// Binance: "if the snapshot's lastUpdateId is below the first buffered U, fetch it again". A capture
		// cannot, so this snapshot is unusable: fatal by default, with ResyncOnGap wait for the next one.
		first := kept[0]
		g := &GapError{File: first.pos.file, Line: first.pos.line, Expected: snap.LastUpdateID + 1,
			First: first.event.FirstUpdateID, Last: first.event.LastUpdateID}
		if !c.opts.ResyncOnGap {
			c.fail(fmt.Errorf("snapshot at %s:%d is older than the buffered updates: %w", pos.file, pos.line, g))
		}
		return
	}
	c.buffered, c.bootstrapped = nil, true
	c.queue = append(c.queue, snap)
	c.state, c.lastID = inSync, snap.LastUpdateID
	for _, b := range kept {
		ev := b.event
		ev.Time = snap.Time
		c.onDepth(ev, b.pos)
		if c.err != nil {
			return
		}
	}
}

// readLine returns the next line of the current file, opening the next file at the end of one.
func (c *Capture) readLine() ([]byte, error) {
	for {
		if c.scanner == nil {
			if c.next >= len(c.paths) {
				return nil, io.EOF
			}
			if err := c.openFile(c.paths[c.next]); err != nil {
				return nil, err
			}
			c.next++
		}
		if c.scanner.Scan() {
			c.pos.line++
			line := c.scanner.Bytes()
			if len(line) == 0 {
				return nil, fmt.Errorf("%s:%d: empty line", c.pos.file, c.pos.line)
			}
			return line, nil
		}
		if err := c.scanner.Err(); err != nil {
			return nil, fmt.Errorf("%s: after line %d: %w", c.pos.file, c.pos.line, err)
		}
		if err := c.closeFile(); err != nil {
			return nil, fmt.Errorf("%s: %w", c.pos.file, err)
		}
	}
}

// maxCaptureLine bounds one line: a 5000-level REST snapshot is about 320 kB.
const maxCaptureLine = 16 << 20

func (c *Capture) openFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	gz, err := gzip.NewReader(bufio.NewReaderSize(f, 256<<10))
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("%s: not a gzip capture: %w", path, err)
	}
	ahead := newAsyncReader(gz)
	sc := bufio.NewScanner(ahead)
	sc.Buffer(make([]byte, 0, 256<<10), maxCaptureLine)
	c.file, c.gz, c.ahead, c.scanner = f, gz, ahead, sc
	c.pos = position{file: path}
	return nil
}
