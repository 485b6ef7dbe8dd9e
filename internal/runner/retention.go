package runner

// orderRetention is how many orders a run keeps tracking, newest first, besides every order still open or
// unknown. A finished order is kept for the fills that can still arrive after its cancel (latency, a catch-up
// after a reconnect); older ones are forgotten so that a year-long replay's memory stays flat. A fill for a
// forgotten order is still journaled (onFill journals every fill); it is only not counted in the run's closing
// summary.
const orderRetention = 10_000

// track starts tracking an own order and forgets the oldest finished one once orderRetention newer orders
// exist; a live order whose turn comes goes back to the end of the queue. Each call looks at two orders at
// most, so the cost per order is constant.
func (r *run) track(id string, o *ownOrder) {
	r.orders[id] = o
	r.tracked = append(r.tracked, id)
	for range 2 {
		if len(r.tracked)-r.trackedHead <= orderRetention {
			break
		}
		oldest := r.tracked[r.trackedHead]
		r.tracked[r.trackedHead] = ""
		r.trackedHead++
		if own, ok := r.orders[oldest]; ok && own.open() {
			r.tracked = append(r.tracked, oldest)
		} else {
			delete(r.orders, oldest)
		}
	}
	if r.trackedHead > len(r.tracked)/2 {
		r.tracked = append(r.tracked[:0], r.tracked[r.trackedHead:]...)
		r.trackedHead = 0
	}
}
