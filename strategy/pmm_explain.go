package strategy

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Explain is the trace of one tick for mm run --explain: the reference prices, every proposal stage in
// Hummingbot's order (§1.2) with its input, output and key numbers, and the decisions of the cancel and create
// steps.
type Explain struct {
	Now           time.Time
	Ref           RefPrice
	ProposalBuilt bool // false while create_timestamp > now (filled_order_delay, between refreshes)
	Stages        []StageTrace
	Decisions     []string
}

// StageTrace is one proposal stage. Input and output share no backing arrays with later stages.
type StageTrace struct {
	Name    string
	Input   Proposal
	Output  Proposal
	Numbers []NamedNumber
	Notes   []string
}

// NamedNumber is one key number of a stage, for example the bid ratio of the inventory skew.
type NamedNumber struct {
	Name  string
	Value decimal.Decimal
}

func (e *Explain) stage(enabled bool, name string, in, out Proposal, numbers ...NamedNumber) {
	if enabled {
		e.Stages = append(e.Stages, StageTrace{Name: name, Input: in, Output: out, Numbers: numbers})
	}
}

func (e *Explain) note(decision string) {
	e.Decisions = append(e.Decisions, decision)
}

func (e *Explain) notef(format string, args ...any) {
	e.Decisions = append(e.Decisions, fmt.Sprintf(format, args...))
}

// String renders the trace as indented text, one stage per block.
func (e Explain) String() string {
	s := fmt.Sprintf("tick %s ref %s (buy %s, sell %s)\n", e.Now.UTC().Format(time.RFC3339Nano), e.Ref.Price,
		e.Ref.BuyRef, e.Ref.SellRef)
	if !e.ProposalBuilt {
		s += "  no proposal: create_timestamp is in the future\n"
	}
	for _, st := range e.Stages {
		s += fmt.Sprintf("  %s: %s -> %s", st.Name, proposalString(st.Input), proposalString(st.Output))
		for _, n := range st.Numbers {
			s += fmt.Sprintf(" %s=%s", n.Name, n.Value)
		}
		s += "\n"
		for _, note := range st.Notes {
			s += "    " + note + "\n"
		}
	}
	for _, d := range e.Decisions {
		s += "  " + d + "\n"
	}
	return s
}

func proposalString(p Proposal) string {
	s := "buys["
	for i, o := range p.Buys {
		if i > 0 {
			s += " "
		}
		s += o.Size.String() + "@" + o.Price.String()
	}
	s += "] sells["
	for i, o := range p.Sells {
		if i > 0 {
			s += " "
		}
		s += o.Size.String() + "@" + o.Price.String()
	}
	return s + "]"
}
