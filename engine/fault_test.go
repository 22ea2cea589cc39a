package engine

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// TestInjectedPanic registers a function that panics on one batch of a
// parallel scan and checks, on 2, 4 and 8 workers, that the query fails
// with XX000 within a second, the stack goes to the log, and the session
// (and the engine) keep working.
func TestInjectedPanic(t *testing.T) {
	lineitem, _ := filepath.Abs("../../shared/tpch/sf0.1/lineitem.parquet")
	if _, err := os.Stat(lineitem); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("../shared/tpch is missing")
		}
		t.Skip("../shared/tpch not present")
	}
	for _, workers := range []int{2, 4, 8} {
		var logBuf bytes.Buffer
		e, err := Open(context.Background(), Config{DataDir: t.TempDir(), Workers: workers, Log: log.New(&logBuf, "", 0)})
		if err != nil {
			t.Fatal(err)
		}
		var calls atomic.Int64
		e.Registry().AddScalar(&functions.Scalar{Name: "test_boom", Volatile: true, Overloads: []functions.Overload{{
			Args: []functions.Arg{{Type: types.Int8T}},
			Ret:  func([]types.T) types.T { return types.Int8T },
			Kernel: func(_ *functions.Ctx, args []arrow.Array, n int) (arrow.Array, error) {
				if calls.Add(1) == 7 {
					panic("injected fault")
				}
				return args[0], nil
			},
		}}})
		s := e.NewSession()
		start := time.Now()
		_, err = s.Query(context.Background(), fmt.Sprintf("SELECT l_returnflag, sum(test_boom(l_orderkey)) FROM read_parquet('%s') GROUP BY 1", lineitem))
		took := time.Since(start)
		if sqlerr.Code(err) != sqlerr.Internal || !strings.Contains(err.Error(), "injected fault") {
			t.Fatalf("workers=%d: %v, want XX000 with the fault", workers, err)
		}
		if took > time.Second {
			t.Fatalf("workers=%d: the failing query took %v", workers, took)
		}
		if !strings.Contains(logBuf.String(), "goroutine") || !strings.Contains(logBuf.String(), "injected fault") {
			t.Fatalf("workers=%d: no stack trace in the log: %q", workers, logBuf.String())
		}
		r := mustExec(t, s, fmt.Sprintf("SELECT count(DISTINCT l_shipmode) FROM read_parquet('%s')", lineitem))
		if v := r.Value(0, 0); v != int64(7) {
			t.Fatalf("workers=%d: after the failure: %v", workers, v)
		}
		e.Close()
	}
}
