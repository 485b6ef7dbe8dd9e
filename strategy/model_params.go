package strategy

import (
	"fmt"
	"math"
)

// ModelParamError is a model parameter outside its accepted range. Name is the parameter as the vectors and
// the CLI flags spell it (gamma, k, A, sigma, tau, eta, …), so the CLI can name the flag and the config loader
// the key (issue 6, "Bad input").
type ModelParamError struct {
	Name   string
	Accept string // the accepted range, for example "> 0" or "between 0 and 1"
	Value  float64
}

func (e *ModelParamError) Error() string {
	return fmt.Sprintf("%s must be %s (got %g)", e.Name, e.Accept, e.Value)
}

// The checks below treat NaN as out of range: every comparison with NaN is false.

func positiveParam(name string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return &ModelParamError{Name: name, Accept: "> 0", Value: v}
	}
	return nil
}

func nonNegativeParam(name string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return &ModelParamError{Name: name, Accept: "≥ 0", Value: v}
	}
	return nil
}

func rangeParam(name string, v, low, high float64) error {
	if !(v >= low && v <= high) {
		return &ModelParamError{Name: name, Accept: fmt.Sprintf("between %g and %g", low, high), Value: v}
	}
	return nil
}

func finiteParam(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return &ModelParamError{Name: name, Accept: "a finite number", Value: v}
	}
	return nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
