package functions

import (
	"math/rand/v2"
	"testing"
)

// cmpLoop sets exactly the bits of the rows whose comparison holds, for
// every operator, in whole bytes of eight and in the tail.
func TestCmpLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ops := map[string]func(a, b int32) bool{
		"=":  func(a, b int32) bool { return a == b },
		"<>": func(a, b int32) bool { return a != b },
		"!=": func(a, b int32) bool { return a != b },
		"<":  func(a, b int32) bool { return a < b },
		"<=": func(a, b int32) bool { return a <= b },
		">":  func(a, b int32) bool { return a > b },
		">=": func(a, b int32) bool { return a >= b },
	}
	for op, want := range ops {
		for _, n := range []int{0, 1, 7, 8, 9, 16, 23, 64, 1001} {
			av, bv := make([]int32, n), make([]int32, n)
			for i := range av {
				av[i], bv[i] = rng.Int32N(4), rng.Int32N(4)
			}
			out := make([]byte, (n+7)/8)
			cmpLoop(op, av, bv, out)
			for i := range av {
				if got := out[i>>3]>>(i&7)&1 == 1; got != want(av[i], bv[i]) {
					t.Fatalf("%s, %d rows: row %d (%d %s %d) is %v", op, n, i, av[i], op, bv[i], got)
				}
			}
		}
	}
}

// BenchmarkCmpLoop compares two 8,192-row int32 columns.
func BenchmarkCmpLoop(b *testing.B) {
	av, bv := make([]int32, 8192), make([]int32, 8192)
	for i := range av {
		av[i], bv[i] = int32(i*7919%1000), int32(500)
	}
	out := make([]byte, 8192/8)
	b.SetBytes(8192 * 4)
	for b.Loop() {
		clear(out)
		cmpLoop("<", av, bv, out)
	}
}
