package analysis

import (
	"fmt"
	"image/color"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// sparkRunes are the eight block heights of a terminal sparkline.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws the cumulative PnL curve in width characters, low to high.
func Sparkline(curve []CurvePoint, width int) string {
	if len(curve) == 0 || width <= 0 {
		return ""
	}
	values := make([]float64, 0, width)
	for i := range width {
		values = append(values, curve[i*len(curve)/width].Total)
		if len(curve) < width && i == len(curve)-1 {
			break
		}
	}
	values[len(values)-1] = curve[len(curve)-1].Total
	lo, hi := values[0], values[0]
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
	}
	var sb strings.Builder
	for _, v := range values {
		level := 0
		if hi > lo {
			level = int((v - lo) / (hi - lo) * float64(len(sparkRunes)-1))
		}
		sb.WriteRune(sparkRunes[level])
	}
	return sb.String()
}

// PlotCurves writes a chart of each market's cumulative PnL to path; the extension (.png or .svg) picks the
// format.
func PlotCurves(path string, title string, curves map[string][]CurvePoint) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("--plot %s: want a .png or .svg file", path)
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "time (UTC)"
	p.Y.Label.Text = "cumulative PnL (quote)"
	p.X.Tick.Marker = plot.TimeTicks{Format: "01-02 15:04", Time: func(t float64) time.Time {
		return time.Unix(int64(t), 0).UTC()
	}}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	for i, name := range sortedCurveNames(curves) {
		pts := make(plotter.XYs, len(curves[name]))
		for k, c := range curves[name] {
			pts[k].X = float64(c.Time.Unix()) + float64(c.Time.Nanosecond())/1e9
			pts[k].Y = c.Total
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %w", name, err)
		}
		line.Color = plotterColor(i)
		p.Add(line)
		p.Legend.Add(name, line)
	}
	if err := p.Save(8*vg.Inch, 4*vg.Inch, path); err != nil {
		return fmt.Errorf("--plot %s: %w", path, err)
	}
	return nil
}

var palette = []color.RGBA{
	{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, {R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, {R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, {R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, {R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
}

func plotterColor(i int) color.Color { return palette[i%len(palette)] }

func sortedCurveNames(curves map[string][]CurvePoint) []string {
	names := make([]string, 0, len(curves))
	for name := range curves {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
