//go:build !linux

package host

import "syscall"

// procAttr: outside Linux there is no parent-death signal; the SDK's parent watchdog ends orphaned plugins.
func procAttr() *syscall.SysProcAttr { return nil }
