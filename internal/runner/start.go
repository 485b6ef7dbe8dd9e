package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
	"github.com/mmtoolkit/mm/strategy"
)

// run is one run in progress. Everything below is touched by the run loop's goroutine only.
type run struct {
	opts           Options
	cfg            *config.Config
	log            *slog.Logger
	pair           market.Pair
	marketName     string // pair.String(), which every journal record carries
	account        string
	params         strategy.PMMParams
	riskParams     strategy.RiskParams
	tickInterval   time.Duration
	duration       time.Duration
	statusInterval time.Duration
	keepOrders     bool

	j        *journal.Journal
	src      eventSource
	connName string // the connector name of this run's journal records (see connectorName)
	runID    int64
	ids      *idGen
	rules    strategy.MarketRules

	state strategy.PMMState
	risk  strategy.RiskState
	sizer *sizer    // volatility sizing and blackout windows; nil when off (sizing.go)
	model *modelRun // strategy.kind avellaneda or glft; nil for pure_market_making (model.go)
	// carried are the last tick's cancels and places, waiting for the Step after the tick (lockstep.go).
	carried *strategy.Actions

	bid, ask, bidSize, askSize, lastTrade decimal.Decimal
	midValue                              decimal.Decimal // mid(), valid while midOK (a BookTop clears it)
	midOK                                 bool
	lastData                              time.Time
	depthBids, depthAsks                  []sdk.Level          // the book behind the top, when order optimization is on
	bidLevels, askLevels                  []strategy.BookLevel // the snapshot's book sides, reused (snapshot)
	invBase, invQuote                     decimal.Decimal      // the InventoryCost record (price_type inventory_cost)
	balances                              map[string]sdk.Balance
	snapBase, snapQuote                   decimal.Decimal // totals of the last balance snapshot journaled
	snapTotalsValid                       bool
	orders                                map[string]*ownOrder
	tracked                               []string // client ids in the order tracked, for forgetting the oldest (track)
	trackedHead                           int
	deferOrders                           bool            // run.journal_orders \"filled\"
	ordersLeftOut                         int             // orders cancelled without a fill and not journaled
	unknown                               map[string]bool // places whose outcome is unknown (timeout), by client id
	seenTrades                            map[string]bool // trade ids journaled and applied by this run
	tradeCursor                           string

	now, firstEvent, nextTick, nextStatus time.Time
	startBalancesDue                      bool
	pendingClears                         []journal.RiskEvent

	fills                 int
	baseVolume, quoteVol  decimal.Decimal
	fees                  map[string]decimal.Decimal
	startBase, startQuote decimal.Decimal
	reason                string
	exitCode              int
	progress              *progress
}

// ownOrder is what the runner knows of one of its orders on the exchange.
type ownOrder struct {
	side    market.Side
	price   decimal.Decimal
	amount  decimal.Decimal // what was sent (a reduce-only order may be capped below the engine's amount)
	filled  decimal.Decimal
	status  string // the journal's status after the last event journaled
	level   int
	hanging bool
	// journaled says the order's rows are in the journal; deferred holds them back until then
	// (run.journal_orders "filled", journal_orders.go).
	journaled bool
	deferred  *deferredOrder
}

func (o *ownOrder) open() bool {
	return o.status == journal.StatusOpen || o.status == journal.StatusPartiallyFilled ||
		o.status == journal.StatusUnknown
}

// connect starts the connector: the paper exchange in-process, or the configured plugin (exit 5 on failure).
func (r *run) connect(ctx context.Context) error {
	if r.cfg.InProcess() {
		src, err := newStepSource(r.cfg)
		if err != nil {
			return err
		}
		r.src = src
		r.log.Info("connector", "name", "paper", "mode", "in-process, stepped", "market", r.marketName)
		r.log.Info("paper fill model", "describe", src.Describe())
	} else if r.cfg.Connector.Name == "paper" && r.cfg.Connector.Paper.Pace.IsZero() {
		levels := 0
		if r.wantsDepth() {
			levels = depthLevels
		}
		src, err := launchStepPlugin(ctx, r.cfg, levels, r.opts.PluginLockPath, r.log)
		if err != nil {
			return err
		}
		src.until = r.stepTarget
		r.src = src
		r.log.Info("connector", "name", "paper", "plugin", src.p.Info.Name, "version", src.p.Info.Version,
			"mode", "plugin, stepped", "market", r.marketName)
	} else {
		req := sdk.SubscribeRequest{Market: r.pair, PublicTrades: true}
		if r.wantsDepth() {
			req.DepthLevels = depthLevels
		}
		src, err := launchPlugin(ctx, r.cfg, req, r.tickInterval, r.opts.PluginLockPath, r.log)
		if err != nil {
			return err
		}
		r.src = src
		info, _ := src.Connector().Info(ctx)
		r.log.Info("connector", "name", r.cfg.Connector.Name, "plugin", info.Name, "version", info.Version,
			"market", r.marketName)
	}
	rules, err := r.src.Connector().MarketRules(ctx, r.pair)
	if err != nil {
		return unreachable("market rules", err)
	}
	r.rules = strategy.MarketRules{Tick: rules.TickSize, Step: rules.StepSize, MinSize: rules.MinSize,
		MinNotional: rules.MinNotional, MakerFee: rules.MakerFee, TakerFee: rules.TakerFee}
	return nil
}

func (r *run) closeSource(ctx context.Context) {
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.DrainTimeout)
	defer cancel()
	if err := r.src.Close(closeCtx); err != nil {
		r.log.Warn("connector shutdown", "err", err)
	}
}

// connectorName is the connector the run's records are journaled under. A paper account without a state file
// is born with the run and dies with it, and its trade ids restart at P1 every time: under the plain name
// "paper" a second replay's fills would be taken for the first one's and dropped by the journal's
// exactly-once rule (connector, market, trade id). Such a run journals as "paper:run-<id>", in-process or through
// mm-plugin-paper; a persistent paper account ("state:") and every other plugin keep their name, so their fills
// stay exactly-once across runs.
func (r *run) connectorName() string {
	name := r.cfg.Connector.Name
	if r.cfg.Connector.Name == "paper" && r.cfg.Connector.Paper != nil && r.cfg.Connector.Paper.State == "" {
		return fmt.Sprintf("%s:run-%d", name, r.runID)
	}
	return name
}

// start journals the run row, the operator's clears, then reconciles before the first quote.
func (r *run) start(ctx context.Context) error {
	redacted, err := json.Marshal(r.cfg.Redacted())
	if err != nil {
		return fmt.Errorf("journal config: %w", err)
	}
	r.runID, err = r.j.StartRun(ctx, journal.Run{Account: r.account, Connector: r.cfg.Connector.Name,
		Market: r.marketName, ConfigHash: r.cfg.Hash(), Config: string(redacted), StartedAt: time.Now(),
		MMVersion: r.opts.MMVersion})
	if err != nil {
		return err
	}
	r.connName, r.ids, r.seenTrades = r.connectorName(), newIDGen(r.runID), map[string]bool{}
	r.log.Info("run started", "run", r.runID, "journal", r.j.Path(), "connector", r.connName)
	if r.opts.ClearTrip {
		if err := r.clearTrips(ctx); err != nil {
			return err
		}
	}
	if err := r.reconcile(ctx, true); err != nil {
		return err
	}
	r.startBase, r.startQuote = r.balanceTotal(r.pair.Base), r.balanceTotal(r.pair.Quote)
	if err := r.loadInventoryCost(ctx); err != nil {
		return err
	}
	r.startBalancesDue = true
	return nil
}

// clearTrips journals a clear for every guard still tripped (mm run --clear-trip); the guards start fresh.
func (r *run) clearTrips(ctx context.Context) error {
	for _, t := range r.pendingClears {
		r.log.Warn("risk guard cleared by --clear-trip", "guard", t.Guard, "tripped", t.Time)
		err := r.j.AddRiskEvent(ctx, journal.RiskEvent{RunID: r.runID, Account: r.account, Market: r.marketName,
			Time: time.Now(), Guard: t.Guard, Action: journal.RiskClear, Detail: "cleared by mm run --clear-trip"})
		if err != nil {
			return err
		}
	}
	return r.j.Flush(ctx)
}

func (r *run) balanceTotal(asset string) decimal.Decimal { return r.balances[asset].Total }
