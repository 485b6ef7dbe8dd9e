package runner

import (
	"strconv"
	"strings"

	"github.com/mmtoolkit/mm/market"
)

// ClientIDPrefix starts every client order id mm places. Reconcile adopts open orders that carry it and leaves
// every other order of the account alone (users.md HB #3225: stop cancels only own orders).
const ClientIDPrefix = "mm-"

// idGen hands out client order ids "mm-<run>-<seq>-<b|s><level>": the journal's run id makes them unique
// across processes and restarts that share a journal (the run lock serializes runs of one account and market),
// the sequence makes them unique within the run, and side and level say which proposal level asked for the
// order (DESIGN.md §3). They are deterministic, so a replay gives byte-identical ids, and at most 36 characters
// for the run ids a journal will see, within Binance's newClientOrderId limit.
type idGen struct {
	prefix string
	seq    uint64
}

func newIDGen(runID int64) *idGen {
	return &idGen{prefix: ClientIDPrefix + strconv.FormatInt(runID, 10) + "-"}
}

func (g *idGen) next(side market.Side, level int) string {
	g.seq++
	var b strings.Builder
	b.WriteString(g.prefix)
	b.WriteString(strconv.FormatUint(g.seq, 10))
	if side == market.Buy {
		b.WriteString("-b")
	} else {
		b.WriteString("-s")
	}
	b.WriteString(strconv.Itoa(level))
	return b.String()
}

// ownClientID says whether a client order id was made by mm.
func ownClientID(id string) bool { return strings.HasPrefix(id, ClientIDPrefix) }
