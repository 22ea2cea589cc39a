package functions

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lakeq/lakeq/internal/testpg"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// TestToNumberDifferential reads generated text with generated templates
// in PostgreSQL 15 and in lakeq: the same numeric, digit for digit, or
// the same SQLSTATE. Inputs are random characters near the template's
// and to_char's own output for the template (what users read back).
func TestToNumberDifferential(t *testing.T) {
	ctx := context.Background()
	srv := testpg.Start(t)
	c, err := pgx.Connect(ctx, srv.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	r := rand.New(rand.NewPCG(15, 7))
	pieces := []string{"9", "9", "9", "0", "0", ".", "D", ",", "G", "S", "MI", "PL", "SG", "PR", "FM", "L", "TH", "th", "V", "B", " ", "x", `"ab"`, "€", "C"}
	digits := func(b *strings.Builder, n int) {
		for ; n > 0; n-- {
			switch r.IntN(8) {
			case 0:
				b.WriteString("0")
			case 1:
				b.WriteString([]string{",", "G", " "}[r.IntN(3)])
				fallthrough
			default:
				b.WriteString("9")
			}
		}
	}
	// a template as users write them (prefix, digits, fraction, suffix),
	// with random pieces mixed in now and then
	template := func() string {
		var b strings.Builder
		if r.IntN(3) == 0 {
			for n := r.IntN(8) + 1; n > 0; n-- {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
			return b.String()
		}
		b.WriteString([]string{"", "", "FM", "L", "$", `"USD "`, "FM"}[r.IntN(7)])
		sign := []string{"", "", "S", "MI", "PL", "SG", "PR"}[r.IntN(7)]
		pre := r.IntN(2) == 0 && sign != "PR"
		if pre {
			b.WriteString(sign)
		}
		digits(&b, r.IntN(7))
		switch r.IntN(5) {
		case 0, 1:
			b.WriteString([]string{".", "D"}[r.IntN(2)])
			digits(&b, r.IntN(4))
		case 2:
			b.WriteString("V")
			digits(&b, r.IntN(3))
		}
		if !pre {
			b.WriteString(sign)
		}
		if r.IntN(6) == 0 {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	const chars = "0123456789012345678901234567890123456789.,-+<> $abx€"
	input := func(tmpl string) string {
		if r.IntN(3) > 0 {
			v, _ := types.ParseDecimal(strings.Repeat("7", r.IntN(4)) + []string{"1.25", "0", ".5", "3"}[r.IntN(4)])
			if r.IntN(2) == 0 {
				v.V = v.V.Negate()
			}
			if s, err := NumberToChar(v, tmpl); err == nil {
				return s
			}
		}
		rs := []rune(chars)
		var b strings.Builder
		for n := r.IntN(10); n > 0; n-- {
			b.WriteRune(rs[r.IntN(len(rs))])
		}
		return b.String()
	}
	n, fails, values, errs := 3000, 0, 0, 0
	if testing.Short() {
		n = 600
	}
	for i := 0; i < n && fails < 20; i++ {
		tmpl := template()
		in := input(tmpl)
		var want *string
		pgErr := c.QueryRow(ctx, "SELECT to_number($1, $2)::text", pgx.QueryExecModeSimpleProtocol, in, tmpl).Scan(&want)
		got, err := ToNumber(in, tmpl)
		var pe *pgconn.PgError
		switch {
		case pgErr != nil && !errors.As(pgErr, &pe):
			t.Fatal(pgErr)
		case pgErr != nil && err == nil:
			t.Errorf("to_number(%q, %q): lakeq %v, PostgreSQL %v", in, tmpl, got, pgErr)
		case pgErr != nil && sqlerr.Code(err) != pe.Code:
			t.Errorf("to_number(%q, %q): lakeq %v, PostgreSQL %v", in, tmpl, err, pgErr)
		case pgErr != nil:
			errs++
			if testing.Verbose() {
				t.Logf("agreed: to_number(%q, %q): %s", in, tmpl, pe.Code)
			}
			continue
		case err != nil:
			t.Errorf("to_number(%q, %q): lakeq %v, PostgreSQL %v", in, tmpl, err, *want)
		case want == nil && got != nil, want != nil && got == nil:
			t.Errorf("to_number(%q, %q): lakeq %v, PostgreSQL %v", in, tmpl, got, want)
		case want != nil && got.(types.Decimal).String() != *want:
			t.Errorf("to_number(%q, %q): lakeq %s, PostgreSQL %s", in, tmpl, got.(types.Decimal).String(), *want)
		default:
			values++
			continue
		}
		fails++
	}
	// the generator must reach both sides of the reader
	if values < n/4 || errs < n/50 {
		t.Errorf("%d values and %d errors agreed of %d cases", values, errs, n)
	}
	t.Logf("%d values and %d errors agreed of %d cases", values, errs, n)
}
