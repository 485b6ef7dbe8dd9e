// Package analysis turns the journal into answers: Hummingbot-compatible history metrics, the PnL
// decomposition and mark-outs. It reads the journal and writes nothing; every computation produces a value
// object that the CLI renders as a table, JSON or CSV (DESIGN.md §8).
package analysis
