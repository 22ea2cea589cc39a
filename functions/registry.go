// Package functions declares lakeq's scalar, aggregate and window
// functions as data: name, aliases, argument and return type rules,
// volatility, description, example, and one vectorized implementation.
// The binder resolves a call to one Overload; the executor calls its Kernel.
package functions

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/types"
)

// Ctx carries per-query state a kernel may need. Kernels may run
// concurrently on different batches with the same Ctx; they must not
// mutate it.
type Ctx struct {
	Loc      *time.Location // session TimeZone
	Now      time.Time      // statement start (now(), current_date)
	User     string
	Database string
	Schema   string
	// Settings reads and changes the session's settings (current_setting,
	// set_config); nil outside a session. Calls come from the query's
	// workers, so implementations lock.
	Settings Settings
	// Meta answers catalog lookups (regclass, format_type, …); nil
	// outside a session.
	Meta Meta
	// SearchPath is the session's search_path (current_schemas).
	SearchPath []string
	// TempSchema is the session's temporary schema, "" before its first
	// temporary relation (current_schemas(true) lists it first).
	TempSchema string
	// BackendPID is the session's process id (pg_backend_pid).
	BackendPID int64
	// LastQueryID is the query id (sys.query_history) of the session's
	// last statement that ended before this one (pg_last_query_id).
	LastQueryID string
	// Backends signals other sessions (pg_cancel_backend,
	// pg_terminate_backend); nil outside a session.
	Backends Backends
	// Sequences is nextval and the rest; nil outside a session.
	Sequences Sequences
}

// Backends cancels the running statement of, or ends, the session with
// a pid, subject to the calling session's privileges; found is false
// when no session has that pid. Safe for concurrent use.
type Backends interface {
	Signal(ctx context.Context, pid int64, terminate bool) (found bool, err error)
}

// Settings is the session's configuration parameters.
type Settings interface {
	Get(name string) (string, bool)
	Set(name, value string, local bool) error
}

// Kernel computes one output array of length n from argument arrays of
// length n. Arrays it returns are owned by the caller.
type Kernel func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error)

// ArgKind matches argument types in an overload signature.
type ArgKind int

// Signature argument classes beyond concrete types.
const (
	ArgExact  ArgKind = iota // Type must match (after implicit casts)
	ArgAny                   // any type
	ArgAnyNum                // any numeric type, passed as is
	ArgSame                  // same type as the first ArgAny/ArgSame argument (polymorphic)
	ArgArray                 // any array type
	ArgElemOf                // element type of the array argument
	// ArgAnyElement is PostgreSQL's anyelement: any type but an untyped
	// literal (42804, "could not determine polymorphic type")
	ArgAnyElement
	// ArgSameArray is an array of exactly the first array argument's type
	// (PostgreSQL's anyarray beside anyarray: int[] @> float8[] is 42883)
	ArgSameArray
)

// Arg is one parameter of an overload.
type Arg struct {
	Kind ArgKind
	Type types.T
}

// Overload is one signature of a function.
type Overload struct {
	Args     []Arg
	Variadic bool // the last Arg repeats
	// Ret computes the result type from the (coerced) argument types.
	Ret    func(args []types.T) types.T
	Kernel Kernel
	// Bind, when set, makes the kernel for the bound argument types; it
	// serves functions whose Arrow arguments do not tell their SQL type
	// (json and jsonb arrive as strings).
	Bind func(args []types.T) Kernel
	// Dyn: Kernel takes per-value-scale numerics (types.NumericDynT) as
	// they are and Ret sees their type; other overloads get such an
	// argument cast to a static scale by the binder.
	Dyn bool
}

// KernelFor is the kernel for arguments of the bound types.
func (o *Overload) KernelFor(args []types.T) Kernel {
	if o.Bind != nil {
		return o.Bind(args)
	}
	return o.Kernel
}

// Param is a parameter a call may name (make_interval(days => 3)) and,
// with a Default, leave out.
type Param struct {
	Name    string
	T       types.T
	Default types.Value // nil: the parameter is required
}

// Scalar is a scalar function declaration.
type Scalar struct {
	Name      string
	Aliases   []string
	Overloads []Overload
	// Params names the parameters, in order, for named notation and
	// defaults (nil: positional only).
	Params      []Param
	Volatile    bool // not constant-foldable (now(), random())
	Description string
	Example     string
}

// Registry holds all functions by lower-case name. It is built once and
// read concurrently afterwards.
type Registry struct {
	scalars map[string]*Scalar
	aggs    map[string]*Aggregate
	windows map[string]*Window
}

// Default returns a registry with every built-in function.
func Default() *Registry {
	r := &Registry{scalars: map[string]*Scalar{}, aggs: map[string]*Aggregate{}, windows: map[string]*Window{}}
	for _, s := range slices.Concat(builtinScalars(), regexMoreScalars(), sequenceScalars()) {
		r.AddScalar(s)
	}
	for _, extra := range []map[string][]Overload{jsonbOperatorOverloads(), arrayOperatorOverloads(), numericMathOverloads(), jsonPathOperatorOverloads(), byteaOverloads(), redshiftOverloads()} {
		for name, ovs := range extra {
			s := &Scalar{Name: name}
			if old := r.scalars[name]; old != nil {
				c := *old
				s = &c
			}
			s.Overloads = append(append([]Overload(nil), s.Overloads...), ovs...)
			r.AddScalar(s)
		}
	}
	for _, a := range slices.Concat(builtinAggregates(), jsonAggregates(), regrAggregates(), hypotheticalAggregates()) {
		r.aggs[a.Name] = a
		for _, al := range a.Aliases {
			r.aggs[al] = a
		}
	}
	for _, w := range builtinWindows() {
		r.windows[w.Name] = w
	}
	return r
}

// AddScalar registers s under its name and aliases.
func (r *Registry) AddScalar(s *Scalar) {
	r.scalars[s.Name] = s
	for _, a := range s.Aliases {
		r.scalars[a] = s
	}
}

// Scalar looks up a scalar function.
func (r *Registry) Scalar(name string) *Scalar { return r.scalars[strings.ToLower(name)] }

// Aggregate looks up an aggregate.
func (r *Registry) Aggregate(name string) *Aggregate { return r.aggs[strings.ToLower(name)] }

// Window looks up a window-only function.
func (r *Registry) Window(name string) *Window { return r.windows[strings.ToLower(name)] }

// ScalarNames lists the registered scalar names (for docs and pg_proc).
func (r *Registry) ScalarNames() []string {
	var out []string
	for n := range r.scalars {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func fixed(t types.T) func([]types.T) types.T { return func([]types.T) types.T { return t } }

func firstArg(args []types.T) types.T { return args[0] }

func ex(t types.T) Arg { return Arg{Kind: ArgExact, Type: t} }

var (
	aText   = ex(types.TextT)
	aInt4   = ex(types.Int4T)
	aInt8   = ex(types.Int8T)
	aFloat8 = ex(types.Float8T)
	aNum    = ex(types.NumericT)
	aBool   = ex(types.BoolT)
	aDate   = ex(types.DateT)
	aTS     = ex(types.TimestampT)
	aTSTZ   = ex(types.TimestampTZT)
	aIntv   = ex(types.IntervalT)
	aTime   = ex(types.TimeT)
	aBytea  = ex(types.ByteaT)
	aAny    = Arg{Kind: ArgAny}
	// aAnyElement is anyelement: no untyped literal
	aAnyElement = Arg{Kind: ArgAnyElement}
	aSame       = Arg{Kind: ArgSame}
)

// Signature is one overload as pg_proc lists it.
type Signature struct {
	Name     string
	Kind     byte // 'f' scalar, 'a' aggregate, 'w' window
	Args     []types.T
	Ret      types.T
	Variadic bool
	Volatile bool
}

// Signatures lists every function overload by name, for pg_proc.
// Arguments that are not one concrete type (any, polymorphic) show as
// text; operators (names that are not identifiers) are left out.
func (r *Registry) Signatures() []Signature {
	var out []Signature
	concrete := func(args []Arg) ([]types.T, bool) {
		ts := make([]types.T, len(args))
		exact := true
		for i, a := range args {
			if a.Kind == ArgExact {
				ts[i] = a.Type
			} else {
				ts[i], exact = types.TextT, false
			}
		}
		return ts, exact
	}
	add := func(name string, kind byte, ovs []Overload, volatile bool) {
		if name == "" || !(name[0] >= 'a' && name[0] <= 'z') {
			return
		}
		for _, o := range ovs {
			ts, exact := concrete(o.Args)
			ret := types.TextT
			if o.Ret != nil && exact {
				func() {
					defer func() { _ = recover() }() // a Ret that needs real argument types
					ret = o.Ret(ts)
				}()
			}
			out = append(out, Signature{Name: name, Kind: kind, Args: ts, Ret: ret, Variadic: o.Variadic, Volatile: volatile})
		}
	}
	names := r.ScalarNames()
	for _, n := range names {
		s := r.scalars[n]
		if n != s.Name {
			continue
		}
		add(n, 'f', s.Overloads, s.Volatile)
	}
	var aggs []string
	for n, a := range r.aggs {
		if n == a.Name {
			aggs = append(aggs, n)
		}
	}
	sort.Strings(aggs)
	for _, n := range aggs {
		add(n, 'a', r.aggs[n].Sigs(), false)
	}
	var wins []string
	for n := range r.windows {
		wins = append(wins, n)
	}
	sort.Strings(wins)
	for _, n := range wins {
		add(n, 'w', r.windows[n].Overloads, false)
	}
	return out
}
