package functions

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lakeq/lakeq/types"
)

// TestToCharDateGolden checks to_char of timestamps, timestamps with time
// zone (in four session time zones) and intervals against PostgreSQL
// 15's output (testdata/to_char_datetime.tsv, made with psql): every
// keyword in upper and lower case, with FM, TH and th; PostgreSQL's
// odd corners (FM before no keyword, SP, quotes and backslashes,
// unterminated quotes, keywords run together); 110 random templates;
// BC years, year 12345, ISO years that are not the calendar's, and
// intervals' fields (36 hours, negative spans) through the calendar
// arithmetic PostgreSQL applies to them.
func TestToCharDateGolden(t *testing.T) {
	f, err := os.Open("testdata/to_char_datetime.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	zones := map[string]*time.Location{}
	n, bad := 0, 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 4 {
			t.Fatalf("bad line %q", line)
		}
		typ, val, pat, want := parts[0], parts[1], parts[2], parts[3]
		var tm pgTm
		switch {
		case typ == "timestamp":
			v, err := types.ParseTimestamp(val, false, time.UTC)
			if err != nil {
				t.Fatalf("%s: %v", val, err)
			}
			tm = tmOfTime(types.TimestampToTime(int64(v)), false)
		case typ == "interval":
			v, err := types.ParseInterval(val)
			if err != nil {
				t.Fatalf("%s: %v", val, err)
			}
			tm = tmOfInterval(v)
		default:
			zone := strings.TrimPrefix(typ, "timestamptz@")
			l := zones[zone]
			if l == nil {
				if l, err = time.LoadLocation(zone); err != nil {
					t.Fatal(err)
				}
				zones[zone] = l
			}
			v, err := types.ParseTimestamp(val, true, l)
			if err != nil {
				t.Fatalf("%s: %v", val, err)
			}
			tm = tmOfTime(types.TimestampToTime(int64(v)).In(l), true)
		}
		got, err := formatDate(parseDateTemplate(pat), tm)
		if pat == "" {
			got = "<NULL>" // the kernel's NULL for an empty template
		}
		if msg, isErr := strings.CutPrefix(want, "ERROR: "); isErr {
			if err == nil || err.Error() != msg {
				bad++
				if bad < 40 {
					t.Errorf("to_char(%s '%s', '%s') = %q, %v; want the error %q", typ, val, pat, got, err, msg)
				}
			}
		} else if want = strings.TrimSuffix(strings.TrimPrefix(want, "["), "]"); err != nil || got != want {
			bad++
			if bad < 40 {
				t.Errorf("to_char(%s '%s', '%s') = %q, %v; want %q", typ, val, pat, got, err, want)
			}
		}
		n++
	}
	if bad > 0 {
		t.Errorf("%d of %d wrong", bad, n)
	}
	if n < 10000 {
		t.Fatalf("only %d cases", n)
	}
}
