package functions

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lakeq/lakeq/internal/testpg"
	"github.com/lakeq/lakeq/types"
)

// TestNumericMathDifferential computes sqrt, ln, log, exp and power of
// generated numerics in PostgreSQL 15 and in lakeq: the same text, digit
// for digit, or an error in both (lakeq's 38-digit limit aside).
func TestNumericMathDifferential(t *testing.T) {
	ctx := context.Background()
	srv := testpg.Start(t)
	c, err := pgx.Connect(ctx, srv.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	r := rand.New(rand.NewPCG(15, 5))
	gen := func() string {
		switch r.IntN(5) {
		case 0:
			return fmt.Sprintf("%d.%d", r.IntN(1_000_000)+1, r.IntN(1_000_000))
		case 1:
			return fmt.Sprintf("0.%0*d", r.IntN(6)+1, r.IntN(99999)+1)
		case 2:
			return fmt.Sprint(r.IntN(99) + 1)
		case 3:
			return fmt.Sprintf("%.*f", r.IntN(9)+1, 0.5+r.Float64())
		}
		return fmt.Sprintf("%.*f", r.IntN(6)+1, r.Float64()*6-3)
	}
	type fn struct {
		sql string
		f   func(a, b types.Decimal) (types.Value, error)
	}
	fns := []fn{
		{"sqrt($1::numeric)", func(a, _ types.Decimal) (types.Value, error) { return numericSqrt(a) }},
		{"ln($1::numeric)", func(a, _ types.Decimal) (types.Value, error) { return numericLn(a) }},
		{"log($1::numeric)", func(a, _ types.Decimal) (types.Value, error) { return numericLog(types.DecimalFromInt(10), a) }},
		{"exp($1::numeric)", func(a, _ types.Decimal) (types.Value, error) { return numericExp(a) }},
		{"log($2::numeric, $1::numeric)", func(a, b types.Decimal) (types.Value, error) { return numericLog(b, a) }},
		{"power($1::numeric, $2::numeric)", func(a, b types.Decimal) (types.Value, error) { return numericPower(a, b) }},
	}
	n, fails := 600, 0
	if testing.Short() {
		n = 150
	}
	for i := 0; i < n && fails < 20; i++ {
		as, bs := gen(), gen()
		if r.IntN(3) == 0 {
			bs = fmt.Sprint(r.IntN(9) - 4) // an integer exponent
		}
		a, err1 := types.ParseDecimal(as)
		b, err2 := types.ParseDecimal(bs)
		if err1 != nil || err2 != nil {
			t.Fatal(as, bs, err1, err2)
		}
		for _, f := range fns {
			var want string
			args := []any{pgx.QueryExecModeSimpleProtocol, as}
			if strings.Contains(f.sql, "$2") {
				args = append(args, bs)
			}
			pgErr := c.QueryRow(ctx, "SELECT ("+f.sql+")::text", args...).Scan(&want)
			got, err := f.f(a, b)
			switch {
			case pgErr != nil && err == nil:
				t.Errorf("%s with %s, %s: lakeq %v, PostgreSQL %v", f.sql, as, bs, got, pgErr)
			case pgErr == nil && err != nil:
				intPart, frac, _ := strings.Cut(strings.TrimPrefix(want, "-"), ".")
				if len(strings.TrimLeft(intPart, "0"))+len(frac) > 38 || len(frac) > 38 {
					continue // past lakeq's 38 digits
				}
				t.Errorf("%s with %s, %s: lakeq %v, PostgreSQL %s", f.sql, as, bs, err, want)
			case pgErr == nil && got.(types.Decimal).String() != want:
				t.Errorf("%s with %s, %s: lakeq %s, PostgreSQL %s", f.sql, as, bs, got.(types.Decimal).String(), want)
			default:
				continue
			}
			fails++
		}
	}
}
