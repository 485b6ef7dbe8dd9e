package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/strategy"
)

// skewJSON is the --output json contract of mm skew-calc; scripts depend on these names.
type skewJSON struct {
	TotalOrderSize string          `json:"total_order_size"`
	BaseRange      string          `json:"base_range"`
	PortfolioValue string          `json:"portfolio_value"`
	BaseValue      string          `json:"base_value"`
	BasePct        float64         `json:"base_pct"`
	TargetBasePct  float64         `json:"target_base_pct"`
	RangeLowerPct  float64         `json:"range_lower_pct"`
	RangeUpperPct  float64         `json:"range_upper_pct"`
	BidRatio       float64         `json:"bid_ratio"`
	AskRatio       float64         `json:"ask_ratio"`
	Levels         []skewLevelJSON `json:"levels"`
	Warnings       []string        `json:"warnings"`
}

type skewLevelJSON struct {
	Side         string  `json:"side"`
	Level        int     `json:"level"`
	Price        *string `json:"price"`
	Size         string  `json:"size"`
	AdjustedSize string  `json:"adjusted_size"`
	BelowMinimum bool    `json:"below_minimum"`
}

func renderSkew(opts *SkewCalcOptions, r strategy.SkewReport) error {
	out := opts.IO.Out
	switch opts.Output {
	case outputJSON:
		return writeJSON(out, toSkewJSON(r))
	case outputCSV:
		for _, w := range r.Warnings {
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", w)
		}
		return levelsTable(r, true).WriteCSV(out)
	}
	return renderSkewTable(out, opts, r)
}

func toSkewJSON(r strategy.SkewReport) skewJSON {
	doc := skewJSON{
		TotalOrderSize: r.TotalOrderSize.String(),
		BaseRange:      r.BaseRange.String(),
		PortfolioValue: r.Range.PortfolioValue.String(),
		BaseValue:      r.Range.BaseValue.String(),
		BasePct:        r.BasePct,
		TargetBasePct:  r.Input.TargetBasePct.InexactFloat64(),
		RangeLowerPct:  r.RangeLowerPct,
		RangeUpperPct:  r.RangeUpperPct,
		BidRatio:       r.BidRatio,
		AskRatio:       r.AskRatio,
		Levels:         []skewLevelJSON{},
		Warnings:       append([]string{}, r.Warnings...),
	}
	for _, l := range r.Levels {
		level := skewLevelJSON{Side: string(l.Side), Level: l.Level, Size: l.Size.String(),
			AdjustedSize: l.AdjustedSize.String(), BelowMinimum: l.BelowMinimum}
		if l.Price.Valid {
			price := l.Price.Decimal.String()
			level.Price = &price
		}
		doc.Levels = append(doc.Levels, level)
	}
	return doc
}

func renderSkewTable(out io.Writer, opts *SkewCalcOptions, r strategy.SkewReport) error {
	baseAsset, quoteAsset := "base", "quote"
	if opts.pair != nil {
		baseAsset, quoteAsset = opts.pair.Base, opts.pair.Quote
	}
	in := r.Input
	summary := Table{
		Header: []string{"inventory skew", "value"},
		Rows: [][]string{
			{"portfolio value", fmt.Sprintf("%s %s (%s %s × %s + %s %s)", r.Range.PortfolioValue, quoteAsset,
				in.Base, baseAsset, in.Price, in.Quote, quoteAsset)},
			{"base value", fmt.Sprintf("%s %s (%s)", r.Range.BaseValue, quoteAsset, pct(r.BasePct))},
			{"target", pct(in.TargetBasePct.InexactFloat64())},
			{"total order size", fmt.Sprintf("%s %s (%d level(s) per side, both sides)", r.TotalOrderSize, baseAsset, in.OrderLevels)},
			{"base range", fmt.Sprintf("%s %s (total order size × %s)", r.BaseRange, baseAsset, in.RangeMultiplier)},
			{"band", fmt.Sprintf("%s to %s of portfolio value", pct(r.RangeLowerPct), pct(r.RangeUpperPct))},
			{"bid ratio", formatRatio(r.BidRatio)},
			{"ask ratio", formatRatio(r.AskRatio)},
		},
	}
	if err := summary.Render(out); err != nil {
		return err
	}
	fmt.Fprintln(out, inventoryBar(r))
	fmt.Fprintln(out)
	if err := levelsTable(r, false).Render(out); err != nil {
		return err
	}
	for _, note := range opts.notes {
		fmt.Fprintf(out, "note: %s\n", note)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(out, "warning: %s\n", w)
	}
	return nil
}

// levelsTable lists every level; the CSV form carries full-precision ratios for scripts.
func levelsTable(r strategy.SkewReport, forCSV bool) Table {
	t := Table{
		Header: []string{"side", "level", "price", "size", "ratio", "adjusted_size", "below_minimum"},
		Right:  map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true},
	}
	if !forCSV {
		t.Header = []string{"side", "level", "price", "size", "ratio", "adjusted size", "below minimum"}
	}
	for _, l := range r.Levels {
		ratio := r.BidRatio
		if l.Side == "sell" {
			ratio = r.AskRatio
		}
		price := ""
		if l.Price.Valid {
			price = l.Price.Decimal.String()
		}
		ratioText := formatRatio(ratio)
		if forCSV {
			ratioText = strconv.FormatFloat(ratio, 'g', -1, 64)
		}
		below := strconv.FormatBool(l.BelowMinimum)
		if !forCSV {
			below = map[bool]string{true: "yes", false: ""}[l.BelowMinimum]
		}
		t.Rows = append(t.Rows, []string{string(l.Side), strconv.Itoa(l.Level), price, l.Size.String(), ratioText,
			l.AdjustedSize.String(), below})
	}
	return t
}

// barWidth is the number of cells of the inventory bar; each cell is 2 % of portfolio value.
const barWidth = 50

// inventoryBar draws the band on one line: '[' lower limit, '|' target, ']' upper limit, '*' the current base
// share; '=' inside the band, '.' outside. An upper limit beyond 100 % is drawn as '>' at the end.
func inventoryBar(r strategy.SkewReport) string {
	cells := []byte(strings.Repeat(".", barWidth+1))
	cell := func(p float64) int { return min(max(int(p/100*barWidth+0.5), 0), barWidth) }
	lower, upper := cell(r.RangeLowerPct), cell(r.RangeUpperPct)
	for i := lower; i <= upper; i++ {
		cells[i] = '='
	}
	cells[lower] = '['
	if r.RangeUpperPct > 100 {
		cells[barWidth] = '>'
	} else {
		cells[upper] = ']'
	}
	cells[cell(r.Input.TargetBasePct.InexactFloat64())] = '|'
	cells[cell(r.BasePct)] = '*'
	return fmt.Sprintf("0%% %s 100%%   [ lower %s  | target %s  ] upper %s  * base %s",
		cells, pct(r.RangeLowerPct), pct(r.Input.TargetBasePct.InexactFloat64()), pct(r.RangeUpperPct), pct(r.BasePct))
}

// sweepJSON is the --output json document of mm skew-calc --sweep.
type sweepJSON struct {
	PortfolioValue string           `json:"portfolio_value"`
	TargetBasePct  float64          `json:"target_base_pct"`
	RangeLowerPct  float64          `json:"range_lower_pct"`
	RangeUpperPct  float64          `json:"range_upper_pct"`
	Points         []sweepPointJSON `json:"points"`
}

type sweepPointJSON struct {
	BasePct  float64 `json:"base_pct"`
	BidRatio float64 `json:"bid_ratio"`
	AskRatio float64 `json:"ask_ratio"`
}

func renderSweep(opts *SkewCalcOptions) error {
	in := opts.input
	points := strategy.SweepSkew(in, opts.sweepStep.value)
	report := strategy.ExplainSkew(in)
	out := opts.IO.Out
	table := Table{Header: []string{"base_pct", "bid_ratio", "ask_ratio"}, Right: map[int]bool{0: true, 1: true, 2: true}}
	switch opts.Output {
	case outputJSON:
		doc := sweepJSON{
			PortfolioValue: report.Range.PortfolioValue.String(),
			TargetBasePct:  in.TargetBasePct.InexactFloat64(),
			RangeLowerPct:  report.RangeLowerPct,
			RangeUpperPct:  report.RangeUpperPct,
		}
		for _, p := range points {
			doc.Points = append(doc.Points, sweepPointJSON{BasePct: p.BasePct.InexactFloat64(), BidRatio: p.BidRatio, AskRatio: p.AskRatio})
		}
		return writeJSON(out, doc)
	case outputCSV:
		for _, p := range points {
			table.Rows = append(table.Rows, []string{p.BasePct.String(),
				strconv.FormatFloat(p.BidRatio, 'g', -1, 64), strconv.FormatFloat(p.AskRatio, 'g', -1, 64)})
		}
		return table.WriteCSV(out)
	}
	table.Header = []string{"base share", "bid ratio", "ask ratio"}
	for _, p := range points {
		table.Rows = append(table.Rows, []string{pct(p.BasePct.InexactFloat64()), formatRatio(p.BidRatio), formatRatio(p.AskRatio)})
	}
	fmt.Fprintf(out, "portfolio value %s, target %s, band %s to %s\n", report.Range.PortfolioValue,
		pct(in.TargetBasePct.InexactFloat64()), pct(report.RangeLowerPct), pct(report.RangeUpperPct))
	if err := table.Render(out); err != nil {
		return err
	}
	fmt.Fprintln(out)
	fmt.Fprint(out, sweepChart(in))
	return nil
}

// sweepChart plots both ratios against base share: 51 columns (every 2 %), rows from ratio 2 down to 0 in
// steps of 0.25; 'b' is the bid ratio, 'a' the ask ratio, 'x' where they meet.
func sweepChart(in strategy.SkewInput) string {
	points := strategy.SweepSkew(in, decimal.NewFromInt(2))
	const rows = 8 // 2 / 0.25
	grid := make([][]byte, rows+1)
	for i := range grid {
		grid[i] = []byte(strings.Repeat(" ", len(points)))
	}
	row := func(ratio float64) int { return rows - min(max(int(ratio/0.25+0.5), 0), rows) }
	for col, p := range points {
		grid[row(p.BidRatio)][col] = 'b'
		if r := row(p.AskRatio); grid[r][col] == 'b' {
			grid[r][col] = 'x'
		} else {
			grid[r][col] = 'a'
		}
	}
	var sb strings.Builder
	sb.WriteString("ratio  (b = bid, a = ask, x = both)\n")
	for i, line := range grid {
		fmt.Fprintf(&sb, "%4.2f |%s\n", 2-float64(i)*0.25, strings.TrimRight(string(line), " "))
	}
	fmt.Fprintf(&sb, "     +%s\n", strings.Repeat("-", len(points)))
	fmt.Fprintf(&sb, "      0%%%s50%%%s100%%  base share\n", strings.Repeat(" ", 22), strings.Repeat(" ", 21))
	return sb.String()
}

func pct(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) + " %" }

func formatRatio(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
