package functions

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// TestToCharNumberGolden checks to_char of numerics and doubles against
// PostgreSQL 15's output for 80 templates over 24 values and 3,000
// random templates (testdata/to_char_numeric.tsv, made with psql; an
// expected "ERROR: …" is the message): sign placement, blank
// and zero padding, FM's trimming, overflow '#', S/MI/PL/SG/PR, V,
// EEEE, RN, TH, and float8's own rounding and signed zero.
func TestToCharNumberGolden(t *testing.T) {
	f, err := os.Open("testdata/to_char_numeric.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 4 {
			t.Fatalf("bad line %q", line)
		}
		pat, val := parts[0], parts[1]
		wantNum := strings.TrimSuffix(strings.TrimPrefix(parts[2], "["), "]")
		wantFloat := strings.TrimSuffix(strings.TrimPrefix(parts[3], "["), "]")
		d, err := types.ParseDecimal(val)
		if err != nil {
			t.Fatalf("%s: %v", val, err)
		}
		check := func(typ, got string, err error, want string) {
			if msg, isErr := strings.CutPrefix(want, "ERROR: "); isErr {
				if err == nil || err.Error() != msg {
					t.Errorf("to_char(%s::%s, '%s') = %q, %v; want the error %q", val, typ, pat, got, err, msg)
				}
				return
			}
			if err != nil || got != want {
				t.Errorf("to_char(%s::%s, '%s') = %q, %v; want %q", val, typ, pat, got, err, want)
			}
		}
		got, err := NumberToChar(d, pat)
		check("numeric", got, err, wantNum)
		fv, _ := strconv.ParseFloat(val, 64)
		got, err = FloatToChar(fv, pat)
		check("float8", got, err, wantFloat)
		n++
	}
	if n < 1000 {
		t.Fatalf("only %d cases", n)
	}
}

// TestToCharNumberErrors: the templates PostgreSQL refuses, with its
// messages and 42601.
func TestToCharNumberErrors(t *testing.T) {
	for pat, msg := range map[string]string{
		"9.9.9":  "multiple decimal points",
		"S9S":    `cannot use "S" twice`,
		"9V9.9":  `cannot use "V" and decimal point together`,
		"S9PR":   `cannot use "PR" and "S"/"PL"/"MI"/"SG" together`,
		"MI9S":   `cannot use "S" and "PL"/"MI"/"SG"/"PR" together`,
		"9EEEE9": `"EEEE" must be the last pattern used`,
		"S9EEEE": `"EEEE" is incompatible with other formats`,
		"9PR9":   `"9" must be ahead of "PR"`,
	} {
		_, err := NumberToChar(types.Decimal{}, pat)
		if err == nil || err.Error() != msg || sqlerr.Code(err) != sqlerr.SyntaxError {
			t.Errorf("to_char(0, '%s'): %v (%s), want %s", pat, err, sqlerr.Code(err), msg)
		}
	}
}
