package host

import "syscall"

// procAttr puts the plugin in its own process group, so a Ctrl-C or a group SIGTERM reaches mm first and mm
// cancels orders before it stops the plugin, and asks the kernel to SIGTERM the plugin if mm dies
// (reference/go.md §1.12 P1, P2). Pdeathsig fires when the forking OS thread exits, so Launch must not run
// on a goroutine that called runtime.LockOSThread.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
