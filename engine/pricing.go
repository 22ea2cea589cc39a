package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
)

// What a query would cost on Athena, which bills the bytes a query scans:
// $5 per TB, each query rounded up to the next megabyte with a 10 MB
// minimum. The price is the session setting scan_price_per_tb (dollars per
// TiB, as AWS's TB is 2^40 bytes), for other regions and for Spectrum.
const (
	settingPricePerTB = "scan_price_per_tb"
	defaultPricePerTB = "5"
	billedMinBytes    = 10 << 20
)

// ScanCost is the price of a query that read n bytes (touched: it read
// any file at all, if only a footer) at pricePerTB dollars per TB: what
// Athena would bill for it. A query that touched no storage costs 0.
func ScanCost(n int64, touched bool, pricePerTB float64) float64 {
	if n <= 0 && !touched {
		return 0
	}
	billed := (n + 1<<20 - 1) &^ (1<<20 - 1) // whole megabytes
	billed = max(billed, billedMinBytes)
	return float64(billed) / (1 << 40) * pricePerTB
}

// FormatCost prints a price in dollars with the three digits that matter
// and no exponent (a 10 MB query at $5 per TB costs $0.0000477).
func FormatCost(d float64) string {
	if d >= 0.01 || d == 0 {
		return fmt.Sprintf("$%.2f", d)
	}
	prec := 2 - int(math.Floor(math.Log10(d)))
	return "$" + strconv.FormatFloat(d, 'f', prec, 64)
}

// PricePerTB is the session's scan_price_per_tb.
func (s *Session) PricePerTB() float64 {
	s.mu.Lock()
	v := s.Settings[settingPricePerTB]
	s.mu.Unlock()
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		f, _ = strconv.ParseFloat(defaultPricePerTB, 64)
	}
	return f
}

func checkPrice(val string) (string, error) {
	v := strings.Trim(strings.TrimSpace(val), "'\"$")
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return "", sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\" (dollars per TB, such as 5)", settingPricePerTB, val)
	}
	return v, nil
}
