package paper

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/plugins/sdk"
)

// stateVersion is the format of the state file; a file of another version is refused, never guessed at.
const stateVersion = 1

// stateFile is the persistent paper account (DESIGN.md §5). Every order is kept, not only the open ones, so
// a client order id stays idempotent across restarts (DESIGN.md §3: a timed-out place is resolved by client
// id, never re-sent blindly). Locked amounts are not stored: they are the sum of the open orders' locks.
type stateFile struct {
	Version      int                        `json:"version"`
	Market       string                     `json:"market"`
	SavedAt      time.Time                  `json:"saved_at"` // simulated time, for humans
	Balances     map[string]decimal.Decimal `json:"balances"`
	NextOrderID  uint64                     `json:"next_order_id"`
	NextPriority uint64                     `json:"next_priority"`
	Orders       []stateOrder               `json:"orders"`
	Pending      []stateAction              `json:"pending"`
	Fills        []sdk.Fill                 `json:"fills"`
}

type stateOrder struct {
	Order    sdk.Order       `json:"order"`
	Priority uint64          `json:"priority"`
	Queue    decimal.Decimal `json:"queue"`
	Locked   decimal.Decimal `json:"locked"`
	Active   bool            `json:"active"`
	Canceled bool            `json:"cancel_requested"`
}

type stateAction struct {
	At            time.Time `json:"at"`
	Priority      uint64    `json:"priority"`
	Cancel        bool      `json:"cancel"`
	ClientOrderID string    `json:"client_order_id"`
}

// persist writes the state file if the account changed since the last write.
func (e *Exchange) persist() error {
	if e.cfg.StatePath == "" || !e.dirty {
		return nil
	}
	if err := e.saveState(); err != nil {
		return err
	}
	e.dirty = false
	return nil
}

// saveState writes the account atomically: a temporary file in the same directory (mode 0600, synced),
// renamed over the old one, so a crash leaves either the old or the new account, never half of one.
func (e *Exchange) saveState() error {
	if e.cfg.StatePath == "" {
		return nil
	}
	st := stateFile{
		Version: stateVersion, Market: e.cfg.Market.String(), SavedAt: e.now,
		Balances: map[string]decimal.Decimal{}, NextOrderID: e.nextOrderID, NextPriority: e.nextPriority,
		Fills: e.fills,
	}
	for asset, b := range e.balances {
		st.Balances[asset] = b.total
	}
	for _, o := range e.ordersByPriority() {
		st.Orders = append(st.Orders, stateOrder{Order: o.Order, Priority: o.priority, Queue: o.queue,
			Locked: o.locked, Active: o.active, Canceled: o.canceled})
	}
	for _, a := range e.pending {
		st.Pending = append(st.Pending, stateAction{At: a.at, Priority: a.priority, Cancel: a.cancel,
			ClientOrderID: a.ord.ClientOrderID})
	}
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("paper: state: %w", err)
	}
	return writeFileAtomic(e.cfg.StatePath, data)
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("paper: state: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if errClose := tmp.Close(); err == nil {
		err = errClose
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("paper: state %s: %w", path, err)
	}
	return nil
}

// loadState replaces the configured account with the saved one when the file exists.
func (e *Exchange) loadState() error {
	path := e.cfg.StatePath
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("paper: state: %w", err)
	}
	var st stateFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return fmt.Errorf("paper: state %s: %w", path, err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("paper: state %s: version %d, this mm reads version %d", path, st.Version, stateVersion)
	}
	if st.Market != e.cfg.Market.String() {
		return fmt.Errorf("paper: state %s holds market %s, but the exchange is configured for %s",
			path, st.Market, e.cfg.Market)
	}
	e.balances = map[string]*balance{}
	for asset, total := range st.Balances {
		e.balances[asset] = &balance{total: total}
	}
	for _, asset := range []string{e.cfg.Market.Base, e.cfg.Market.Quote} {
		if e.balances[asset] == nil {
			e.balances[asset] = &balance{}
		}
	}
	e.nextOrderID, e.nextPriority, e.fills = st.NextOrderID, st.NextPriority, st.Fills
	for _, so := range st.Orders {
		o := newOrder(so.Order)
		o.priority, o.queue, o.locked, o.active, o.canceled = so.Priority, so.Queue, so.Locked, so.Active, so.Canceled
		if _, dup := e.orders[o.ClientOrderID]; dup || o.ClientOrderID == "" {
			return fmt.Errorf("paper: state %s: client order id %q is empty or repeated", path, o.ClientOrderID)
		}
		e.orders[o.ClientOrderID] = o
		if !o.isOpen() {
			continue
		}
		asset, _ := e.lockFor(o.Side, o.Price, o.Amount)
		b := e.balances[asset]
		b.lock(o.locked)
		if o.active {
			e.insertResting(o)
		}
	}
	e.memory, e.memoryHead = e.ordersByPriority(), 0
	for _, sa := range st.Pending {
		o, ok := e.orders[sa.ClientOrderID]
		if !ok {
			return fmt.Errorf("paper: state %s: pending action for unknown order %q", path, sa.ClientOrderID)
		}
		e.schedule(action{at: sa.At, priority: sa.Priority, cancel: sa.Cancel, ord: o})
	}
	for asset, b := range e.balances {
		if b.total.Cmp(b.locked) < 0 {
			return fmt.Errorf("paper: state %s: %s locks %s but holds only %s", path, asset, b.locked, b.total)
		}
	}
	e.dirty = false
	return nil
}

// ordersByPriority is every order, oldest first.
func (e *Exchange) ordersByPriority() []*order {
	all := make([]*order, 0, len(e.orders))
	for _, o := range e.orders {
		all = append(all, o)
	}
	sortByPriority(all)
	return all
}
