package functions

import (
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// WindowPartition is one partition in window order, as the window
// operator hands it to a window function. Frame bounds are half-open
// row ranges [FrameStart[i], FrameEnd[i]) for row i.
type WindowPartition struct {
	N          int
	Args       [][]types.Value // Args[a][i]: argument a at row i
	PeerStart  []int           // first row of row i's peer group
	PeerEnd    []int           // one past the last peer
	FrameStart []int
	FrameEnd   []int
}

// Window is a window-only function (ranking, navigation).
type Window struct {
	Name        string
	Overloads   []Overload // kernels unused; signature and return type only
	Description string
	// UsesFrame: first_value/last_value/nth_value read the frame; others ignore it.
	UsesFrame bool
	Eval      func(p *WindowPartition, out []types.Value) error
}

func builtinWindows() []*Window {
	i8 := fixed(types.Int8T)
	f8 := fixed(types.Float8T)
	return []*Window{
		{Name: "row_number", Overloads: []Overload{{Ret: i8}}, Eval: func(p *WindowPartition, out []types.Value) error {
			for i := 0; i < p.N; i++ {
				out[i] = int64(i + 1)
			}
			return nil
		}},
		{Name: "rank", Overloads: []Overload{{Ret: i8}}, Eval: func(p *WindowPartition, out []types.Value) error {
			for i := 0; i < p.N; i++ {
				out[i] = int64(p.PeerStart[i] + 1)
			}
			return nil
		}},
		{Name: "dense_rank", Overloads: []Overload{{Ret: i8}}, Eval: func(p *WindowPartition, out []types.Value) error {
			r := int64(0)
			for i := 0; i < p.N; i++ {
				if p.PeerStart[i] == i {
					r++
				}
				out[i] = r
			}
			return nil
		}},
		{Name: "percent_rank", Overloads: []Overload{{Ret: f8}}, Eval: func(p *WindowPartition, out []types.Value) error {
			for i := 0; i < p.N; i++ {
				if p.N <= 1 {
					out[i] = 0.0
				} else {
					out[i] = float64(p.PeerStart[i]) / float64(p.N-1)
				}
			}
			return nil
		}},
		{Name: "cume_dist", Overloads: []Overload{{Ret: f8}}, Eval: func(p *WindowPartition, out []types.Value) error {
			for i := 0; i < p.N; i++ {
				out[i] = float64(p.PeerEnd[i]) / float64(p.N)
			}
			return nil
		}},
		{Name: "ntile", Overloads: []Overload{{Args: []Arg{aInt4}, Ret: fixed(types.Int4T)}}, Eval: func(p *WindowPartition, out []types.Value) error {
			for i := 0; i < p.N; i++ {
				nb, ok := p.Args[0][i].(int64)
				if !ok {
					out[i] = nil
					continue
				}
				if nb <= 0 {
					return sqlerr.New(sqlerr.InvalidArgument, "argument of ntile must be greater than zero")
				}
				n := int64(p.N)
				per, extra := n/nb, n%nb
				// the first `extra` buckets get per+1 rows
				r := int64(i)
				if r < extra*(per+1) {
					out[i] = r/(per+1) + 1
				} else {
					out[i] = extra + (r-extra*(per+1))/max(per, 1) + 1
				}
			}
			return nil
		}},
		navWindow("lag", -1), navWindow("lead", 1),
		{Name: "first_value", UsesFrame: true, Overloads: []Overload{{Args: []Arg{aAny}, Ret: firstArg}}, Eval: func(p *WindowPartition, out []types.Value) error {
			for i := 0; i < p.N; i++ {
				if p.FrameStart[i] < p.FrameEnd[i] {
					out[i] = p.Args[0][p.FrameStart[i]]
				} else {
					out[i] = nil
				}
			}
			return nil
		}},
		{Name: "last_value", UsesFrame: true, Overloads: []Overload{{Args: []Arg{aAny}, Ret: firstArg}}, Eval: func(p *WindowPartition, out []types.Value) error {
			for i := 0; i < p.N; i++ {
				if p.FrameStart[i] < p.FrameEnd[i] {
					out[i] = p.Args[0][p.FrameEnd[i]-1]
				} else {
					out[i] = nil
				}
			}
			return nil
		}},
		{Name: "nth_value", UsesFrame: true, Overloads: []Overload{{Args: []Arg{aAny, aInt4}, Ret: firstArg}}, Eval: func(p *WindowPartition, out []types.Value) error {
			for i := 0; i < p.N; i++ {
				nth, ok := p.Args[1][i].(int64)
				if !ok {
					out[i] = nil
					continue
				}
				if nth <= 0 {
					return sqlerr.New(sqlerr.InvalidArgument, "argument of nth_value must be greater than zero")
				}
				j := p.FrameStart[i] + int(nth) - 1
				if j < p.FrameEnd[i] {
					out[i] = p.Args[0][j]
				} else {
					out[i] = nil
				}
			}
			return nil
		}},
	}
}

func navWindow(name string, dir int) *Window {
	eval := func(p *WindowPartition, out []types.Value) error {
		for i := 0; i < p.N; i++ {
			off := int64(1)
			if len(p.Args) > 1 {
				o, ok := p.Args[1][i].(int64)
				if !ok {
					out[i] = nil
					continue
				}
				off = o
			}
			j := int64(i) + int64(dir)*off
			if j >= 0 && j < int64(p.N) {
				out[i] = p.Args[0][j]
			} else if len(p.Args) > 2 {
				out[i] = p.Args[2][i]
			} else {
				out[i] = nil
			}
		}
		return nil
	}
	return &Window{Name: name, Overloads: []Overload{
		{Args: []Arg{aAny}, Ret: firstArg},
		{Args: []Arg{aAny, aInt4}, Ret: firstArg},
		{Args: []Arg{aAny, aInt4, aSame}, Ret: firstArg},
	}, Eval: eval}
}
