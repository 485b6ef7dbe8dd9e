package strategy

// PingPong is c_apply_ping_pong (§3.2, §8.1). Equal counters reset both to zero; then each side drops as many of
// its closest entries as its own counter. The counters never net: after two sell fills and one buy fill both
// sides are trimmed (4 bids / 3 asks with 5 levels), and only equal counts bring both sides back. It returns the
// trimmed proposal and the (possibly reset) counters.
func PingPong(filledBuys, filledSells int, in Proposal) (out Proposal, buys, sells int) {
	if filledBuys == filledSells {
		filledBuys, filledSells = 0, 0
	}
	out = in
	if filledBuys > 0 {
		out.Buys = in.Buys[min(filledBuys, len(in.Buys)):]
	}
	if filledSells > 0 {
		out.Sells = in.Sells[min(filledSells, len(in.Sells)):]
	}
	return out, filledBuys, filledSells
}
