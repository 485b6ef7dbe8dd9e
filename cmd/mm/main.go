// Command mm is an inventory-aware market-making toolkit: a Hummingbot-style market maker (mm run), its SQLite
// trade journal, and the analysis commands that say where the profit came from.
package main

import "os"

func main() {
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
