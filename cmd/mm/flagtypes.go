package main

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// decimalFlag is a pflag.Value holding an exact decimal; "100" and "100.00" parse to equal values.
type decimalFlag struct {
	value      decimal.Decimal
	set        bool // given on the command line
	hasDefault bool
}

func (d *decimalFlag) String() string {
	if !d.set && !d.hasDefault {
		return ""
	}
	return d.value.String()
}

func (d *decimalFlag) Type() string { return "decimal" }

func (d *decimalFlag) Set(s string) error {
	v, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("%q is not a decimal number", s)
	}
	d.value, d.set = v, true
	return nil
}

func newDecimalFlag(def string) *decimalFlag {
	if def == "" {
		return &decimalFlag{}
	}
	return &decimalFlag{value: decimal.RequireFromString(def), hasDefault: true}
}
