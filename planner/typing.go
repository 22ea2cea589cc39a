package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// implicitCost is the cost of an implicit cast from → to, or -1 when
// PostgreSQL would not cast implicitly.
func implicitCost(from, to types.T) int {
	if from.Kind == to.Kind {
		if from.Kind == types.Array {
			return implicitCost(*from.Elem, *to.Elem)
		}
		return 0
	}
	if from.Kind == types.Unknown {
		if to.Kind == types.Text {
			return 1
		}
		return 2
	}
	if rf, rt := types.NumericRank(from.Kind), types.NumericRank(to.Kind); rf > 0 && rt > 0 {
		if rf < rt {
			return rt - rf
		}
		return -1
	}
	if from.Kind == types.Oid && to.IsInteger() || from.IsInteger() && to.Kind == types.Oid {
		return 1
	}
	switch {
	case (from.Kind == types.Varchar || from.Kind == types.Char) && to.Kind == types.Text:
		return 1
	case from.Kind == types.Text && (to.Kind == types.Varchar || to.Kind == types.Char):
		return 2
	case from.Kind == types.Varchar && to.Kind == types.Char, from.Kind == types.Char && to.Kind == types.Varchar:
		return 2
	case from.Kind == types.Date && to.Kind == types.Timestamp:
		return 1
	case from.Kind == types.Date && to.Kind == types.TimestampTZ:
		return 2
	case from.Kind == types.Timestamp && to.Kind == types.TimestampTZ:
		return 1
	case from.Kind == types.JSON && to.Kind == types.JSONB, from.Kind == types.JSONB && to.Kind == types.JSON:
		return 3
	}
	return -1
}

// commonType is the type two operands are promoted to, as in
// PostgreSQL's UNION/CASE/operator resolution.
func commonType(a, b types.T) (types.T, bool) {
	switch {
	case a.Kind == types.Unknown && b.Kind == types.Unknown:
		return types.UnknownT, true
	case a.Kind == types.Unknown:
		return unbounded(b), true
	case b.Kind == types.Unknown:
		return unbounded(a), true
	case a.Kind == b.Kind:
		if a.Kind == types.Numeric {
			if a.Dyn || b.Dyn {
				return types.NumericDynT, true
			}
			return types.T{Kind: types.Numeric, Scale: max(a.Scale, b.Scale)}, true
		}
		if a.Kind == types.Array {
			e, ok := commonType(*a.Elem, *b.Elem)
			return types.ArrayOf(e), ok
		}
		if !a.Equal(b) && a.Kind == types.Varchar {
			return unbounded(a), true
		}
		if !a.Equal(b) && a.Kind == types.Char {
			return types.T{Kind: a.Kind, Width: max(a.Width, b.Width)}, true
		}
		return a, true
	}
	if ra, rb := types.NumericRank(a.Kind), types.NumericRank(b.Kind); ra > 0 && rb > 0 {
		if ra > rb {
			if a.Kind == types.Numeric {
				return types.T{Kind: types.Numeric, Scale: a.Scale, Dyn: a.Dyn}, true
			}
			return a, true
		}
		if b.Kind == types.Numeric {
			return types.T{Kind: types.Numeric, Scale: b.Scale, Dyn: b.Dyn}, true
		}
		return b, true
	}
	if a.IsString() && b.IsString() {
		return types.TextT, true
	}
	if implicitCost(a, b) >= 0 {
		return b, true
	}
	if implicitCost(b, a) >= 0 {
		return a, true
	}
	return types.T{}, false
}

// operatorType is the type a binary operator's operands meet at:
// commonType, except that real beside any other number is compared and
// computed in double precision. PostgreSQL resolves such a pair to its
// float48 and float84 operators (float8 is the preferred type of the
// numeric category), so r = 0.1 compares 0.1::real's float8 value with
// 0.1, and r * 2 is double precision; CASE, COALESCE, UNION and IN lists
// (select_common_type) keep real.
func operatorType(a, b types.T) (types.T, bool) {
	if (a.Kind == types.Float4) != (b.Kind == types.Float4) {
		other := b
		if b.Kind == types.Float4 {
			other = a
		}
		if types.NumericRank(other.Kind) > 0 {
			return types.Float8T, true
		}
	}
	return commonType(a, b)
}

// unbounded is t without a length limit: PostgreSQL keeps a common
// type's typmod only when every input has the same type and typmod
// (select_common_typmod), so an untyped literal or a different length
// beside varchar(n) gives plain varchar — 'abcd' = v is not cut to v's
// three characters, and COALESCE(v, 'none') keeps all of 'none'.
// (char(n) keeps its length: its values compare blank-padded to it.)
func unbounded(t types.T) types.T {
	if t.Kind == types.Varchar {
		t.Width = 0
	}
	return t
}

// coerce converts e to type to with an implicit (or, when explicit,
// any valid) cast. Constants are folded at once so literal input errors
// surface at bind time, as in PostgreSQL.
func (b *Binder) coerce(e expr.Expr, to types.T, explicit bool) (expr.Expr, error) {
	from := e.Type()
	if to.Kind == types.Numeric && to.Prec == 0 && to.Scale == 0 && !to.Dyn && from.Kind != types.Numeric {
		to = b.naturalNumeric(e)
	}
	if from.Equal(to) {
		return e, nil
	}
	if isReg(from) && to.IsString() {
		return b.coerce(regOut(e), to, explicit)
	}
	// an untyped literal for a reg* argument is read as the name it
	// spells, as regclassin reads it (pg_relation_size('t'))
	if isReg(to) && from.Kind == types.Unknown {
		names := map[int32]string{functions.RegClass: "regclass", functions.RegType: "regtype", functions.RegNamespace: "regnamespace", functions.RegRole: "regrole"}
		if name, ok := names[to.Width]; ok {
			if r, ok, err := b.bindRegCast(e, name); ok {
				return r, err
			}
		}
	}
	if p, ok := e.(*expr.Param); ok && p.T.Kind == types.Unknown {
		b.setParamType(p.N, to)
		return &expr.Param{N: p.N, T: to}, nil
	}
	if !explicit && implicitCost(from, to) < 0 && !(from.Kind == to.Kind) {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "cannot cast type %s to %s implicitly", from.String(), to.String())
	}
	if explicit && !types.CanCast(from, to) {
		return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from.String(), to.String())
	}
	if c, ok := e.(*expr.Const); ok {
		v, err := types.CastScalar(c.V, from, to, b.loc())
		if err != nil {
			return nil, err
		}
		origin := c.From // an implicit coercion keeps a literal a literal
		if explicit {
			origin = "::" + to.String() + "(" + constOrigin(c) + ")"
		}
		return &expr.Const{V: v, T: to, From: origin}, nil
	}
	return &expr.Cast{X: e, To: to}, nil
}

// naturalNumeric is the type of an unconstrained numeric made from e:
// integers get static scale 0 and constants their written digits; other
// values (text, floats) keep each its own scale, as PostgreSQL's do.
func (b *Binder) naturalNumeric(e expr.Expr) types.T {
	from := e.Type()
	if from.IsInteger() {
		return types.NumericT
	}
	if p, ok := e.(*expr.Param); ok {
		if sc, ok := b.paramScale(p.N); ok {
			return types.T{Kind: types.Numeric, Scale: sc}
		}
	}
	if c, ok := e.(*expr.Const); ok && c.V != nil {
		var text string
		switch v := c.V.(type) {
		case float64:
			text = types.FormatFloat(v, 64)
			if from.Kind == types.Float4 {
				text = types.FormatFloat(v, 32)
			}
		case string:
			text = v
		}
		if d, err := types.ParseDecimal(text); err == nil && d.Scale <= 30 {
			return types.T{Kind: types.Numeric, Scale: d.Scale}
		}
	}
	return types.NumericDynT
}

func (b *Binder) setParamType(n int, t types.T) {
	for len(b.ParamTypes) < n {
		b.ParamTypes = append(b.ParamTypes, types.UnknownT)
	}
	if b.ParamTypes[n-1].Kind == types.Unknown {
		b.ParamTypes[n-1] = t
	}
}

// resolve picks the cheapest overload for the argument types and
// returns it with coerced arguments and the result type.
func (b *Binder) resolve(name string, ovs []functions.Overload, args []expr.Expr) (*functions.Overload, []expr.Expr, types.T, error) {
	o, out, t, _, err := b.resolveIdx(name, ovs, args)
	return o, out, t, err
}

func (b *Binder) resolveIdx(name string, ovs []functions.Overload, args []expr.Expr) (*functions.Overload, []expr.Expr, types.T, int, error) {
	bestCost, best := -1, -1
	var bestRank [2]int
	var bestTypes []types.T
	for oi := range ovs {
		o := &ovs[oi]
		if !arityOK(o, len(args)) {
			continue
		}
		cost, ts, ok := matchOverload(o, args)
		if !ok {
			continue
		}
		rank := candidateRank(args, ts)
		better := best < 0 || rank[0] > bestRank[0] ||
			rank[0] == bestRank[0] && (rank[1] > bestRank[1] || rank[1] == bestRank[1] && cost < bestCost)
		if better {
			best, bestCost, bestRank, bestTypes = oi, cost, rank, ts
		}
	}
	if best < 0 {
		// an untyped literal where only anyelement is taken
		for oi := range ovs {
			if !arityOK(&ovs[oi], len(args)) {
				continue
			}
			for i, a := range args {
				if argSpec(&ovs[oi], i).Kind == functions.ArgAnyElement && a.Type().Kind == types.Unknown {
					return nil, nil, types.T{}, -1, sqlerr.New(sqlerr.DatatypeMismatch, "could not determine polymorphic type because input has type unknown")
				}
			}
		}
		return nil, nil, types.T{}, -1, noFunction(name, args)
	}
	o := &ovs[best]
	out := make([]expr.Expr, len(args))
	for i, a := range args {
		if !o.Dyn && bestTypes[i].Dyn && staticNumericArg(o, i) {
			// the kernel loops over one scale per array
			bestTypes[i] = types.T{Kind: types.Numeric, Scale: dynStaticScale}
		}
		c, err := b.coerce(a, bestTypes[i], false)
		if err != nil {
			return nil, nil, types.T{}, -1, err
		}
		out[i] = c
	}
	return o, out, o.Ret(bestTypes), best, nil
}

// candidateRank orders overload candidates as PostgreSQL's
// func_select_candidate does before any cost: first by the arguments
// whose type the candidate takes as it is, then by the converted ones it
// takes as their category's preferred type (double precision for
// numbers, text for strings) — so round(integer) is round(double
// precision), as in PostgreSQL, not round(numeric).
func candidateRank(args []expr.Expr, ts []types.T) [2]int {
	var exact, preferred int
	for i, a := range args {
		at := a.Type()
		if at.Kind == types.Unknown {
			continue
		}
		switch {
		case at.Kind == ts[i].Kind:
			exact++
		case types.NumericRank(at.Kind) > 0 && ts[i].Kind == types.Float8,
			at.IsString() && ts[i].Kind == types.Text,
			// timestamptz is the datetime category's preferred type:
			// date_trunc('week', date) is date_trunc(text, timestamptz)
			at.Kind == types.Date && ts[i].Kind == types.TimestampTZ:
			preferred++
		}
	}
	return [2]int{exact, preferred}
}

// dynStaticScale is the scale a per-value-scale numeric is cast to for a
// kernel that needs one scale per array (stddev, variance and the like):
// PostgreSQL's minimum significant digits of a quotient.
const dynStaticScale = 16

// staticNumericArg reports whether argument i of o is declared numeric
// (rather than polymorphic: min, lag and the like carry any type as is).
func staticNumericArg(o *functions.Overload, i int) bool {
	spec := argSpec(o, i)
	return spec.Kind == functions.ArgAnyNum || spec.Kind == functions.ArgExact && spec.Type.Kind == types.Numeric
}

func arityOK(o *functions.Overload, n int) bool {
	if o.Variadic {
		return n >= len(o.Args)-1
	}
	return n == len(o.Args)
}

// matchOverload computes the total implicit-cast cost and target types.
func matchOverload(o *functions.Overload, args []expr.Expr) (int, []types.T, bool) {
	ts := make([]types.T, len(args))
	cost := 0
	var poly *types.T
	// first pass: find the polymorphic anchor type
	for i, a := range args {
		spec := argSpec(o, i)
		if spec.Kind == functions.ArgAny || spec.Kind == functions.ArgArray || spec.Kind == functions.ArgSame {
			t := a.Type()
			if t.Kind == types.Unknown {
				continue
			}
			if poly == nil {
				poly = &t
			} else if ct, ok := commonType(*poly, t); ok && (spec.Kind == functions.ArgSame) {
				poly = &ct
			}
		}
	}
	for i, a := range args {
		spec := argSpec(o, i)
		at := a.Type()
		switch spec.Kind {
		case functions.ArgExact:
			c := implicitCost(at, spec.Type)
			if c < 0 {
				return 0, nil, false
			}
			cost += c
			ts[i] = spec.Type
			if spec.Type.Kind == types.Numeric && at.Kind == types.Numeric {
				ts[i] = at // keep the scale
			}
		case functions.ArgAny:
			if at.Kind == types.Unknown {
				ts[i] = types.TextT
				cost++
			} else {
				ts[i] = at
			}
		case functions.ArgAnyElement:
			if at.Kind == types.Unknown {
				return 0, nil, false
			}
			ts[i] = at
		case functions.ArgSameArray:
			// an untyped literal takes the other array's type; any other
			// type must be that type exactly
			var first *types.T
			for j, b := range args {
				if j != i && b.Type().Kind == types.Array {
					t := b.Type()
					first = &t
					break
				}
			}
			switch {
			case at.Kind == types.Unknown && first != nil:
				ts[i] = *first
				cost++
			case at.Kind == types.Array && (first == nil || at.Equal(*first) || sameArrayElems(at, *first)):
				ts[i] = at
			default:
				return 0, nil, false
			}
		case functions.ArgAnyNum:
			switch {
			case at.IsNumeric():
				ts[i] = at
			case at.Kind == types.Unknown:
				ts[i] = types.NumericT
				cost += 2
			default:
				return 0, nil, false
			}
		case functions.ArgArray:
			if at.Kind == types.Unknown && argSpec(o, 1-min(i, 1)).Kind == functions.ArgSameArray {
				// '{1}' @> ARRAY[1]: the literal takes the other's type
				if len(args) == 2 && args[1-i].Type().Kind == types.Array {
					ts[i] = args[1-i].Type()
					cost++
					continue
				}
			}
			if at.Kind != types.Array {
				return 0, nil, false
			}
			ts[i] = at
			if poly != nil && poly.Kind == types.Array && !poly.Equal(at) && implicitCost(at, *poly) >= 0 {
				ts[i] = *poly // widened to meet an anycompatible value
			}
		case functions.ArgSame:
			if poly == nil {
				ts[i] = types.TextT
				continue
			}
			target := *poly
			c := implicitCost(at, target)
			if c < 0 {
				return 0, nil, false
			}
			cost += c
			ts[i] = target
		case functions.ArgElemOf:
			if poly == nil || poly.Kind != types.Array {
				return 0, nil, false
			}
			c := implicitCost(at, *poly.Elem)
			if c < 0 {
				// anycompatible: the array and the value meet at their
				// common type (array_position(int[], float8) searches a
				// float8[])
				ct, ok := commonType(*poly.Elem, at)
				if !ok || implicitCost(*poly.Elem, ct) < 0 || implicitCost(at, ct) < 0 {
					return 0, nil, false
				}
				if ct.Kind == types.Numeric && ct.Prec == 0 {
					ct = types.NumericDynT // each element keeps its own scale, as PostgreSQL's
				}
				arr := types.ArrayOf(ct)
				for j := range args {
					if argSpec(o, j).Kind == functions.ArgArray {
						ts[j] = arr
					}
				}
				poly = &arr
				c = 1 + implicitCost(at, ct)
			}
			cost += c
			ts[i] = *poly.Elem
		}
	}
	return cost, ts, true
}

func argSpec(o *functions.Overload, i int) functions.Arg {
	if i >= len(o.Args) {
		return o.Args[len(o.Args)-1]
	}
	return o.Args[i]
}

func noFunction(name string, args []expr.Expr) error {
	s := name + "("
	for i, a := range args {
		if i > 0 {
			s += ", "
		}
		s += a.Type().String()
	}
	s += ")"
	return sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", s).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

func noOperator(op string, l, r types.T) error {
	return sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", l.String(), op, r.String()).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

// exprTypes lists the expressions' types.
func exprTypes(es []expr.Expr) []types.T {
	ts := make([]types.T, len(es))
	for i, e := range es {
		ts[i] = e.Type()
	}
	return ts
}

// sameArrayElems reports arrays of one element type apart from its
// modifiers (numeric(10,2)[] beside numeric[]; varchar[] beside text[]
// is another type, as in PostgreSQL).
func sameArrayElems(a, b types.T) bool {
	return a.Elem.Kind == b.Elem.Kind
}
