package feed

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// SyntheticConfig describes a seeded synthetic market, the default feed (DESIGN §5): it needs no files and the
// same config gives the same events, byte for byte.
type SyntheticConfig struct {
	Seed  uint64
	Start time.Time // the simulated clock's start; never the wall clock, so runs repeat
	Mid   decimal.Decimal
	Tick  decimal.Decimal // price tick: every price is a whole number of ticks
	Step  decimal.Decimal // size step: every size is a whole number of steps, at least one
	// SpreadTicks is the distance from best bid to best ask.
	SpreadTicks int64
	// DepthLevels is the number of levels on each side, one tick apart.
	DepthLevels int
	// VolatilityBpsPerSqrtSecond is the standard deviation of the mid's moves, in basis points of the mid
	// per √second: a move over dt has σ = mid · bps/10⁴ · √dt.
	VolatilityBpsPerSqrtSecond float64
	// QuoteInterval is how often the mid moves and the touch sizes refresh (like depth@100ms).
	QuoteInterval time.Duration
	// TradeRatePerSecond is the Poisson intensity of public trades.
	TradeRatePerSecond float64
	// MeanTradeSize is the mean of the exponential trade size; book levels hold 4× that on average.
	MeanTradeSize decimal.Decimal
	// Duration ends the feed (io.EOF) after this much simulated time; 0 runs forever.
	Duration time.Duration
}

// DefaultSyntheticConfig is a BTC-USDT-like market, from the spot capture (PROVENANCE.md): tick 0.01, step
// 0.00001, a one-tick spread, 28 trades/s averaging 0.0217 BTC (9,757 trades, 212.03 BTC in 5 min 46 s), and
// about 50 % annualised volatility (0.5/√(365·86400 s) ≈ 0.89 bps/√s). One simulated hour from 2024-01-01 UTC.
func DefaultSyntheticConfig() SyntheticConfig {
	return SyntheticConfig{
		Seed:                       1,
		Start:                      time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Mid:                        decimal.NewFromInt(60000),
		Tick:                       decimal.New(1, -2),
		Step:                       decimal.New(1, -5),
		SpreadTicks:                1,
		DepthLevels:                10,
		VolatilityBpsPerSqrtSecond: 0.89,
		QuoteInterval:              100 * time.Millisecond,
		TradeRatePerSecond:         28,
		MeanTradeSize:              decimal.RequireFromString("0.0217"),
		Duration:                   time.Hour,
	}
}

func (c SyntheticConfig) validate() error {
	switch {
	case c.Tick.Sign() <= 0 || c.Step.Sign() <= 0:
		return errors.New("tick and step must be positive")
	case c.Mid.LessThanOrEqual(c.Tick.Mul(decimal.NewFromInt(c.SpreadTicks + int64(c.DepthLevels)))):
		return fmt.Errorf("mid %s is too low for the spread and depth", c.Mid)
	case c.SpreadTicks < 1 || c.DepthLevels < 1:
		return errors.New("spread and depth need at least one tick and one level")
	case c.QuoteInterval <= 0:
		return errors.New("quote interval must be positive")
	case c.TradeRatePerSecond < 0 || c.VolatilityBpsPerSqrtSecond < 0 || c.Duration < 0:
		return errors.New("trade rate, volatility and duration must not be negative")
	case c.MeanTradeSize.LessThan(c.Step):
		return fmt.Errorf("mean trade size %s is below the step %s", c.MeanTradeSize, c.Step)
	}
	return nil
}

// Synthetic is the seeded synthetic market. The model lives in integers (ticks and steps) and draws from one
// PCG generator in a fixed order; floats appear only inside a draw (the Gaussian move, the exponential waits
// and sizes) and are rounded to whole ticks, nanoseconds or steps at once (STYLE rule 1), so every price is an
// exact multiple of Tick and every size of Step.
//
// The best bid walks by round(N(0, σ)) ticks every QuoteInterval, σ from VolatilityBpsPerSqrtSecond; the best
// ask stays SpreadTicks above. Each side shows DepthLevels levels one tick apart; a level keeps its size while it
// stays in the window, new levels and the two touch levels get fresh sizes each interval. Each interval emits a
// KindBookUpdate with the changes and a KindTopOfBook. Trades arrive as a Poisson process (exponential waits),
// taker side buy or sell with equal odds, at the best ask for a buy and the best bid for a sell, with an
// exponential size floored to Step (at least one step). Trades do not deplete the book: the synthetic book is
// a backdrop for queue position, not a matching engine. At equal times the quote comes before the trade.
type Synthetic struct {
	cfg                SyntheticConfig
	rng                *rand.Rand
	tickCoef, stepCoef int64
	tickExp, stepExp   int32
	meanTradeSteps     float64
	bid                int64           // best bid in ticks
	bidSizes, askSizes map[int64]int64 // steps by price in ticks
	nextQuote, next    time.Time
	end                time.Time
	updateID, tradeID  uint64
	seq                uint64
	book               *Book
	queue              []Event // events of the current step, from queueHead on
	queueHead          int
	started, tradesOn  bool
}

// NewSynthetic validates cfg and returns the market at cfg.Start.
func NewSynthetic(cfg SyntheticConfig) (*Synthetic, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("feed: synthetic: %w", err)
	}
	s := &Synthetic{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6d6d2d73796e7468)), book: NewBook(),
		bidSizes: map[int64]int64{}, askSizes: map[int64]int64{}}
	var ok bool
	if s.tickCoef, s.tickExp, ok = smallParts(cfg.Tick); !ok {
		return nil, fmt.Errorf("feed: synthetic: tick %s has too many digits", cfg.Tick)
	}
	if s.stepCoef, s.stepExp, ok = smallParts(cfg.Step); !ok {
		return nil, fmt.Errorf("feed: synthetic: step %s has too many digits", cfg.Step)
	}
	s.meanTradeSteps = cfg.MeanTradeSize.Div(cfg.Step).InexactFloat64()
	midTicks := cfg.Mid.Div(cfg.Tick).Floor().IntPart()
	s.bid = midTicks - cfg.SpreadTicks/2
	s.nextQuote, s.next = cfg.Start, cfg.Start
	if cfg.Duration > 0 {
		s.end = cfg.Start.Add(cfg.Duration)
	}
	s.scheduleTrade()
	return s, nil
}

func smallParts(d decimal.Decimal) (int64, int32, bool) {
	c := d.Coefficient()
	return c.Int64(), d.Exponent(), c.IsInt64() && c.Int64() < 1<<40
}

// Book is the synthetic book as of the last event returned (Synthetic is a BookSource).
func (s *Synthetic) Book() *Book { return s.book }

// Next returns the next event, or io.EOF once Duration has passed.
func (s *Synthetic) Next() (Event, error) {
	if s.queueHead == len(s.queue) {
		s.queue, s.queueHead = s.queue[:0], 0
		at := s.nextQuote
		if s.tradesOn && s.next.Before(at) {
			at = s.next
		}
		if !s.end.IsZero() && at.After(s.end) {
			return Event{}, io.EOF
		}
		if at.Equal(s.nextQuote) {
			s.quote(at)
			s.nextQuote = at.Add(s.cfg.QuoteInterval)
		} else {
			s.trade(at)
			s.scheduleTrade()
		}
	}
	ev := s.queue[s.queueHead]
	s.queueHead++
	if err := s.book.Apply(ev); err != nil {
		return Event{}, err
	}
	s.seq++
	ev.Seq = s.seq
	return ev, nil
}

func (s *Synthetic) scheduleTrade() {
	if s.tradesOn = s.cfg.TradeRatePerSecond > 0; !s.tradesOn {
		return
	}
	wait := time.Duration(s.rng.ExpFloat64() / s.cfg.TradeRatePerSecond * float64(time.Second))
	s.next = s.next.Add(wait)
}

func (s *Synthetic) trade(at time.Time) {
	side, price := market.Buy, s.bid+s.cfg.SpreadTicks
	if s.rng.IntN(2) == 1 {
		side, price = market.Sell, s.bid
	}
	steps := max(1, int64(s.rng.ExpFloat64()*s.meanTradeSteps))
	s.tradeID++
	s.queue = append(s.queue, Event{Kind: KindTrade, Time: at, Price: s.price(price), Size: s.size(steps),
		TradeID: s.tradeID, TakerSide: side})
}

// quote moves the mid (except at the start) and emits the book changes and the new top of book.
func (s *Synthetic) quote(at time.Time) {
	oldBid := s.bid
	depth := int64(s.cfg.DepthLevels)
	if s.started {
		// σ in ticks = mid/tick · bps/10⁴ · √dt, and mid/tick is the mid in ticks.
		midTicks := float64(s.bid) + float64(s.cfg.SpreadTicks)/2
		sigmaTicks := midTicks * s.cfg.VolatilityBpsPerSqrtSecond / 1e4 * math.Sqrt(s.cfg.QuoteInterval.Seconds())
		s.bid = max(depth, s.bid+int64(math.Round(s.rng.NormFloat64()*sigmaTicks)))
	}
	ask, oldAsk := s.bid+s.cfg.SpreadTicks, oldBid+s.cfg.SpreadTicks
	levels := make([]Level, 0, 4*depth)
	// Bids: levels that left the window go, levels that entered it and the touch get fresh sizes.
	for k := range depth {
		if p := oldBid - k; s.started && (p > s.bid || p <= s.bid-depth) {
			levels = append(levels, Level{Side: market.Buy, Price: s.price(p), Size: market.Fixed{}})
			delete(s.bidSizes, p)
		}
	}
	for k := range depth {
		if p := s.bid - k; !s.started || k == 0 || p > oldBid || p <= oldBid-depth {
			s.bidSizes[p] = s.levelSize()
			levels = append(levels, Level{Side: market.Buy, Price: s.price(p), Size: s.size(s.bidSizes[p])})
		}
	}
	for k := range depth {
		if p := oldAsk + k; s.started && (p < ask || p >= ask+depth) {
			levels = append(levels, Level{Side: market.Sell, Price: s.price(p), Size: market.Fixed{}})
			delete(s.askSizes, p)
		}
	}
	for k := range depth {
		if p := ask + k; !s.started || k == 0 || p < oldAsk || p >= oldAsk+depth {
			s.askSizes[p] = s.levelSize()
			levels = append(levels, Level{Side: market.Sell, Price: s.price(p), Size: s.size(s.askSizes[p])})
		}
	}
	s.updateID++
	kind := KindBookUpdate
	if !s.started {
		kind, s.started = KindBookSnapshot, true
	}
	first := s.updateID
	if kind == KindBookSnapshot {
		first = 0
	}
	s.queue = append(s.queue,
		Event{Kind: kind, Time: at, Levels: levels, FirstUpdateID: first, LastUpdateID: s.updateID},
		Event{Kind: KindTopOfBook, Time: at, LastUpdateID: s.updateID,
			BidPrice: s.price(s.bid), BidSize: s.size(s.bidSizes[s.bid]),
			AskPrice: s.price(ask), AskSize: s.size(s.askSizes[ask])})
}

// levelSize draws a level's size in steps: exponential with mean 4 trades, at least one step.
func (s *Synthetic) levelSize() int64 {
	return max(1, int64(s.rng.ExpFloat64()*4*s.meanTradeSteps))
}

func (s *Synthetic) price(ticks int64) market.Fixed {
	return market.NewFixed(ticks*s.tickCoef, s.tickExp)
}
func (s *Synthetic) size(steps int64) market.Fixed {
	return market.NewFixed(steps*s.stepCoef, s.stepExp)
}
