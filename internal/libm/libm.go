// Package libm is the C library's floating-point functions: PostgreSQL
// computes sin, exp, pow and the rest with the platform's libm, and
// Go's math package, accurate to within an ulp too, rounds some results
// the other way — sin(-2.3) printed -0.7457052121767203 in one and ...204
// in the other. With cgo, lakeq calls the same libm PostgreSQL does on
// this platform; without it, these fall back to Go's math.
package libm
