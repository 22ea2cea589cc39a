package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// Sessions of two processes sharing a catalog take values of one
// sequence at once, row by row and a batch at a time: no value is given
// twice, and every row of a serial column gets its own.
func TestSequenceValuesUniqueAcrossProcesses(t *testing.T) {
	_, e1, e2 := twoEngines(t)
	mustExec(t, e1.NewSession(), "CREATE TABLE ser (id bigserial, w int)")
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w, e := range []*Engine{e1, e2, e1, e2} {
		wg.Add(1)
		go func(w int, s *Session) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				sql := fmt.Sprintf("INSERT INTO ser (w) VALUES (%d)", w)
				if i%4 == 0 {
					sql = fmt.Sprintf("INSERT INTO ser (w) SELECT %d FROM generate_series(1, 3000)", w)
				}
				if _, err := s.Query(context.Background(), sql); err != nil {
					errs <- err
					return
				}
			}
		}(w, e.NewSession())
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s := e2.NewSession()
	want := int64(4 * (15 + 5*3000))
	if n := count(t, s, "SELECT count(*) FROM ser"); n != want {
		t.Fatalf("%d rows, want %d", n, want)
	}
	if n := count(t, s, "SELECT count(DISTINCT id) FROM ser"); n != want {
		t.Fatalf("%d distinct ids of %d rows", n, want)
	}
	if n := count(t, s, "SELECT max(id) FROM ser"); n != want {
		t.Fatalf("max id %d: values were skipped or taken twice (%d rows)", n, want)
	}
}
