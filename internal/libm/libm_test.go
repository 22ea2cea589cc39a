package libm

import (
	"math"
	"testing"
)

// TestAgreesWithMath checks every function against Go's math to within
// a few ulps: the two may round differently, never disagree.
func TestAgreesWithMath(t *testing.T) {
	one := map[string][2]func(float64) float64{
		"sin": {Sin, math.Sin}, "cos": {Cos, math.Cos}, "tan": {Tan, math.Tan},
		"asin": {Asin, math.Asin}, "acos": {Acos, math.Acos}, "atan": {Atan, math.Atan},
		"sinh": {Sinh, math.Sinh}, "cosh": {Cosh, math.Cosh}, "tanh": {Tanh, math.Tanh},
		"asinh": {Asinh, math.Asinh}, "acosh": {Acosh, math.Acosh}, "atanh": {Atanh, math.Atanh},
		"exp": {Exp, math.Exp}, "log": {Log, math.Log}, "log10": {Log10, math.Log10}, "cbrt": {Cbrt, math.Cbrt},
	}
	for name, f := range one {
		for _, x := range []float64{-0.9, -0.5, 0, 0.3, 0.99, 1.5, 2.3, 10} {
			got, want := f[0](x), f[1](x)
			if math.IsNaN(got) != math.IsNaN(want) || !math.IsNaN(got) && math.Abs(got-want) > 4*ulp(want) {
				t.Errorf("%s(%g) = %g, Go's math %g", name, x, got, want)
			}
		}
	}
	if got := Pow(2, 10); got != 1024 {
		t.Errorf("pow(2, 10) = %g", got)
	}
	if got := Atan2(1, 1); math.Abs(got-math.Pi/4) > 1e-15 {
		t.Errorf("atan2(1, 1) = %g", got)
	}
}

func ulp(x float64) float64 {
	if x == 0 || math.IsInf(x, 0) {
		return math.SmallestNonzeroFloat64
	}
	return math.Abs(math.Nextafter(x, math.Inf(1)) - x)
}
