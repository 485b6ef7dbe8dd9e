package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mmtoolkit/mm/internal/sharedtest"
)

// TestMain lets testscript run the real entry point as the "mm" command of each script.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mm": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the golden CLI scripts in testdata/script. UPDATE_GOLDEN=1 rewrites their cmp files; a
// rewritten golden must be checked against the formula or the vector it cites before it is committed.
func TestScripts(t *testing.T) {
	shared := sharedtest.Dir(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("UPDATE_GOLDEN") != "",
		Setup: func(env *testscript.Env) error {
			env.Setenv("MM_SHARED", shared)
			env.Setenv("MM_JOURNAL", env.WorkDir+"/mm.db")
			return nil
		},
	})
}
