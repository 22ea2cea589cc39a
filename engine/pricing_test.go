package engine

import "testing"

func TestScanCost(t *testing.T) {
	for _, c := range []struct {
		n       int64
		touched bool
		want    string
	}{
		{0, false, "$0.00"},
		{0, true, "$0.0000477"},              // a footer read still bills 10 MB
		{1 << 20, true, "$0.0000477"},        // under the minimum
		{(10 << 20) + 1, true, "$0.0000525"}, // rounded up to 11 MB
		{1 << 40, true, "$5.00"},
		{3 << 40, true, "$15.00"},
	} {
		if got := FormatCost(ScanCost(c.n, c.touched, 5)); got != c.want {
			t.Errorf("ScanCost(%d, %v) = %s, want %s", c.n, c.touched, got, c.want)
		}
	}
	if got := FormatCost(ScanCost(1<<40, true, 6.25)); got != "$6.25" {
		t.Errorf("at $6.25/TB: %s", got)
	}
}
