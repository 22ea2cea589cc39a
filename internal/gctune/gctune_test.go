package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPercent(t *testing.T) {
	p := DefaultPolicy()
	for _, c := range []struct {
		live uint64
		want int
	}{{0, 800}, {4 << 20, 800}, {16 << 20, 400}, {32 << 20, 200}, {64 << 20, 100}, {96 << 20, 100}, {128 << 20, 100}, {2 << 30, 100}} {
		if got := p.Percent(c.live); got != c.want {
			t.Errorf("Percent(%d MiB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}

func TestStartFollowsCollections(t *testing.T) {
	t.Setenv("GOGC", "")
	stop := Start(Policy{Allowance: 1 << 40, MinPercent: 100, MaxPercent: 300})
	defer stop()
	runtime.GC()
	runtime.GC() // the finalizer of the first cycle has run by the second
	if got := debug.SetGCPercent(300); got != 300 {
		t.Errorf("GC percent %d after collections, want 300", got)
	}
	stop()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d after stop, want 100", got)
	}
}

// TestSoftLimit checks that a memory limit becomes the collector's target
// at twice its size, and that GOMEMLIMIT or no limit leaves it alone.
func TestSoftLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	SoftLimit(1 << 30)
	if got := debug.SetMemoryLimit(-1); got != 2<<30 {
		t.Fatalf("target %d, want %d", got, int64(2<<30))
	}
	debug.SetMemoryLimit(before)
	SoftLimit(0)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("no limit changed the target to %d", got)
	}
	t.Setenv("GOMEMLIMIT", "3GiB")
	SoftLimit(1 << 30)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("GOMEMLIMIT set, but the target became %d", got)
	}
}
