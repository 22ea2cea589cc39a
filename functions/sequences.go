package functions

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Sequences are the session's sequence operations (nextval and the
// rest); name is a sequence as regclass input reads it ('s',
// 'public.s'). Calls come from a query's workers at once, so
// implementations lock.
type Sequences interface {
	// Next takes n values of the sequence, in order.
	Next(name string, n int) ([]int64, error)
	// Current is currval: the session's last value of the sequence.
	Current(name string) (int64, error)
	// Set is setval.
	Set(name string, v int64, called bool) (int64, error)
	// Last is lastval: the session's last nextval of any sequence.
	Last() (int64, error)
	// SerialOf is pg_get_serial_sequence: the qualified name of the
	// sequence of a serial or identity column ("" for another column).
	SerialOf(table, column string) (string, error)
}

func sequenceScalars() []*Scalar {
	oid := ex(types.OidT)
	return []*Scalar{
		{Name: "nextval", Volatile: true, Description: "advance a sequence and return its new value", Example: "nextval('orders_id_seq')",
			Overloads: []Overload{{Args: []Arg{aText}, Ret: fixed(types.Int8T), Kernel: nextvalKernel},
				{Args: []Arg{oid}, Ret: fixed(types.Int8T), Kernel: nextvalKernel}}},
		{Name: "currval", Volatile: true, Description: "the value nextval last returned for a sequence in this session",
			Overloads: []Overload{seqRow([]Arg{aText}, func(q Sequences, name string, _ []types.Value) (types.Value, error) { return q.Current(name) }),
				seqRow([]Arg{oid}, func(q Sequences, name string, _ []types.Value) (types.Value, error) { return q.Current(name) })}},
		{Name: "setval", Volatile: true, Description: "set a sequence's current value (and whether nextval returns it or the one after)",
			Overloads: []Overload{
				seqRow([]Arg{aText, aInt8}, func(q Sequences, name string, a []types.Value) (types.Value, error) {
					return q.Set(name, a[1].(int64), true)
				}),
				seqRow([]Arg{oid, aInt8}, func(q Sequences, name string, a []types.Value) (types.Value, error) {
					return q.Set(name, a[1].(int64), true)
				}),
				seqRow([]Arg{aText, aInt8, aBool}, func(q Sequences, name string, a []types.Value) (types.Value, error) {
					return q.Set(name, a[1].(int64), a[2].(bool))
				}),
				seqRow([]Arg{oid, aInt8, aBool}, func(q Sequences, name string, a []types.Value) (types.Value, error) {
					return q.Set(name, a[1].(int64), a[2].(bool))
				})}},
		{Name: "pg_get_serial_sequence", Volatile: true, Description: "the sequence of a serial or identity column", Example: "pg_get_serial_sequence('orders', 'id')",
			Overloads: []Overload{{Args: []Arg{aText, aText}, Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), true, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				q, err := sequences(ctx)
				if err != nil {
					return nil, err
				}
				name, err := q.SerialOf(a[0].(string), a[1].(string))
				if name == "" || err != nil {
					return nil, err
				}
				return name, nil
			})}}},
		{Name: "lastval", Volatile: true, Description: "the value nextval last returned in this session",
			Overloads: []Overload{{Ret: fixed(types.Int8T), Kernel: RowWise(fixed(types.Int8T), false, func(ctx *Ctx, _ []types.Value) (types.Value, error) {
				q, err := sequences(ctx)
				if err != nil {
					return nil, err
				}
				return q.Last()
			})}}},
	}
}

func sequences(ctx *Ctx) (Sequences, error) {
	if ctx == nil || ctx.Sequences == nil {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "sequences need a session")
	}
	return ctx.Sequences, nil
}

// seqName is the sequence a text or regclass argument names.
func seqName(ctx *Ctx, v types.Value) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		if ctx.Meta != nil {
			return ctx.Meta.RelName(x), nil
		}
	}
	return "", sqlerr.New(sqlerr.UndefinedTable, "relation with OID %v does not exist", v)
}

func seqRow(args []Arg, f func(q Sequences, name string, a []types.Value) (types.Value, error)) Overload {
	return Overload{Args: args, Ret: fixed(types.Int8T), Kernel: RowWise(fixed(types.Int8T), true, func(ctx *Ctx, a []types.Value) (types.Value, error) {
		q, err := sequences(ctx)
		if err != nil {
			return nil, err
		}
		name, err := seqName(ctx, a[0])
		if err != nil {
			return nil, err
		}
		return f(q, name, a)
	})}
}

// nextvalKernel takes the values of a batch's rows at once: one
// reservation per sequence a batch names, not one per row, so a large
// INSERT with a serial column costs a catalog update per batch.
func nextvalKernel(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
	q, err := sequences(ctx)
	if err != nil {
		return nil, err
	}
	t := types.TextT
	if _, ok := args[0].(*array.String); !ok {
		t = types.OidT
	}
	names := make([]string, n)
	counts := map[string]int{}
	var order []string
	for i := 0; i < n; i++ {
		v := types.GetValue(t, args[0], i)
		if v == nil {
			continue // nextval(NULL) is NULL
		}
		name, err := seqName(ctx, v)
		if err != nil {
			return nil, err
		}
		names[i] = name
		if counts[name] == 0 {
			order = append(order, name)
		}
		counts[name]++
	}
	vals := map[string][]int64{}
	for _, name := range order {
		if vals[name], err = q.Next(name, counts[name]); err != nil {
			return nil, err
		}
	}
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		if args[0].IsNull(i) {
			b.AppendNull()
			continue
		}
		vs := vals[names[i]]
		b.Append(vs[0])
		vals[names[i]] = vs[1:]
	}
	return b.NewArray(), nil
}
