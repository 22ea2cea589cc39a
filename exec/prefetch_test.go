package exec

import (
	"context"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec/expr"
)

// fetchMorsel records when it was fetched ahead and read.
type fetchMorsel struct {
	i    int
	size int64
	log  *fetchLog
}

type fetchLog struct {
	mu               sync.Mutex
	inflight, peak   int64
	prefetched, read map[int]bool
	early            []int // read before its fetch was offered
}

func (m *fetchMorsel) Prefetch(*Ctx) int64 {
	m.log.mu.Lock()
	defer m.log.mu.Unlock()
	if m.log.prefetched[m.i] || m.log.read[m.i] {
		return 0
	}
	m.log.prefetched[m.i] = true
	m.log.inflight += m.size
	m.log.peak = max(m.log.peak, m.log.inflight)
	return m.size
}

func (m *fetchMorsel) Read(*Ctx) ([]arrow.Record, error) {
	m.log.mu.Lock()
	defer m.log.mu.Unlock()
	m.log.read[m.i] = true
	if m.log.prefetched[m.i] {
		m.log.inflight -= m.size
	} else {
		m.log.early = append(m.log.early, m.i)
	}
	return nil, nil
}

// Morsels are fetched ahead while under prefetchBytes are ahead (at most
// one morsel past it), every morsel but the first is fetched ahead in a
// serial scan, and none is offered beyond prefetchDepth.
func TestMorselFetchAhead(t *testing.T) {
	for _, tc := range []struct {
		size int64
		n    int
		held int // the most morsels fetched ahead or being read
	}{
		{30 << 20, 12, 4},                // the byte bound: 3 ahead (90 MiB) and the one read
		{1 << 20, 40, prefetchDepth + 1}, // the depth bound
		{100 << 20, 5, 2},                // one past the bound goes alone
	} {
		log := &fetchLog{prefetched: map[int]bool{}, read: map[int]bool{}}
		var ms []Morsel
		for i := 0; i < tc.n; i++ {
			ms = append(ms, &fetchMorsel{i: i, size: tc.size, log: log})
		}
		src := &MorselSource{Label: "scan", List: func(*Ctx) ([]Morsel, error) { return ms, nil }}
		ctx := &Ctx{Expr: &expr.Ctx{Context: context.Background()}, Workers: 1}
		if err := src.Init(ctx); err != nil {
			t.Fatal(err)
		}
		local := src.NewLocal()
		for {
			r, err := src.Next(ctx, local)
			if err != nil {
				t.Fatal(err)
			}
			if r == nil && src.next.Load() >= int64(tc.n) {
				break
			}
		}
		if len(log.read) != tc.n {
			t.Fatalf("size %d: %d of %d morsels read", tc.size, len(log.read), tc.n)
		}
		if len(log.early) != 1 || log.early[0] != 0 {
			t.Fatalf("size %d: morsels read without a fetch ahead: %v (want only the first)", tc.size, log.early)
		}
		if want := int64(tc.held) * tc.size; log.peak != want {
			t.Fatalf("size %d: peak in flight %d MiB, want %d MiB", tc.size, log.peak>>20, want>>20)
		}
		if log.inflight != 0 || src.inflight != 0 {
			t.Fatalf("size %d: %d bytes still counted in flight after the scan", tc.size, src.inflight)
		}
	}
}
