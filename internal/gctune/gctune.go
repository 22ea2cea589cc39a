// Package gctune sets the Go garbage collector's pace for a lakeq
// process. Go collects when the heap has grown by GOGC percent of what
// the last collection found live; a query's batches are garbage within
// microseconds, so with a small live heap the default (100) collects
// constantly and a query spends much of its time in the collector. The
// policy here gives the heap a fixed allowance over the live heap
// instead (64 MiB by default), expressed as a percent after every
// collection and never below a floor (100, Go's default): small heaps
// collect far less often, large ones (big hash tables, sorts) as Go
// would. TPC-H SF 10 q18 (15 million groups) and q09 with a floor of 100:
// 3.3 GB and 1.4 GB RSS; of 50: 2.8 GB and 1.15 GB, no slower (q09
// faster); of 25: the same peak for q18 and a few percent slower. Once
// q18 aggregated by morsel (its groups no longer all held), the floor
// went back to 100: SF 10 q05, q09, q10, q13 5-7% faster, their peaks
// 0.33-1.03 GB -> 0.45-1.18 GB (DuckDB's run peaks at 1.5-1.9 GB), SF 1
// unchanged (its live heaps stay under the allowance). Before that, SF 1's
// 22 queries took as long with either, their peak 15% lower with 50. TPC-H SF1 in bench/, geomean ratio to
// DuckDB and lakeq's peak RSS: default pace 2.88 and 616 MB; 64 MiB
// 2.18-2.26 and 595-609 MB; 128 MiB 1.67-1.93 but 659-875 MB (the peak
// varied from run to run); 256 MiB 1.76 and 920 MB. The binary starts it (cmd/lakeq, the
// benchmark worker); GOGC in the environment turns it off. The
// collector's settings are process-wide, which is why a library
// (engine) never calls this.
package gctune

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Policy is the collector's pace.
type Policy struct {
	Allowance  uint64 // heap growth allowed over the live heap, in bytes
	MinPercent int    // the percent never goes below this (Go's default 100)
	MaxPercent int    // nor above this (a nearly empty heap)
}

// DefaultPolicy is the policy lakeq runs with.
func DefaultPolicy() Policy { return Policy{Allowance: 64 << 20, MinPercent: 100, MaxPercent: 800} }

// Percent is the GOGC value the policy gives for a live heap size.
func (p Policy) Percent(live uint64) int {
	if live == 0 {
		return p.MaxPercent
	}
	pct := int(p.Allowance * 100 / live)
	return min(max(pct, p.MinPercent), p.MaxPercent)
}

// Start applies p after every collection until stop is called. It does
// nothing (and stop is a no-op) when GOGC is set in the environment.
func Start(p Policy) (stop func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	var stopped atomic.Bool
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	current := -1
	apply := func() {
		metrics.Read(sample)
		live := uint64(0)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live = sample[0].Value.Uint64()
		}
		if want := p.Percent(live); want != current {
			debug.SetGCPercent(want)
			current = want
		}
	}
	apply()
	// A finalizer runs after the collection that finds its object
	// unreachable: re-armed each time, it is a hook on every cycle.
	var arm func()
	arm = func() {
		s := new([16]byte)
		runtime.SetFinalizer(s, func(*[16]byte) {
			if stopped.Load() {
				return
			}
			apply()
			arm()
		})
	}
	arm()
	return func() {
		if stopped.CompareAndSwap(false, true) {
			debug.SetGCPercent(100)
		}
	}
}

// SoftLimit gives the collector a target for the whole heap from a
// --memory-limit of limit bytes: twice it. memory_limit bounds what
// operators account for (hash tables, sorts, buffered rows); batches in
// flight, decoding buffers and the collector's own headroom come on top,
// and without a target the heap grew to 3.5 times the limit (TPC-H SF 10
// q18 under 1 GB: 3.5 GB RSS; with the target 2.2 GB and no slower; at
// 1.2 times the limit the collector ran most of the time and the query
// took twice as long). GOMEMLIMIT in the environment wins; limit <= 0
// does nothing.
func SoftLimit(limit int64) {
	if limit <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(2 * limit)
}
