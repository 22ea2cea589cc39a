package sqlerr

import (
	"errors"
	"testing"
)

// Wrap adds context and its own SQLSTATE, except over a lack of
// resources or a cancel, whose SQLSTATE is what a client acts on.
func TestWrapKeepsResourceAndCancelCodes(t *testing.T) {
	for _, c := range []struct {
		cause error
		want  string
	}{
		{New(DiskFull, "could not write file \"x\": No space left on device"), DiskFull},
		{New(OutOfMemory, "out of memory"), OutOfMemory},
		{New(QueryCanceled, "canceling statement due to user request"), QueryCanceled},
		{New(UndefinedFile, "no such file"), IOError},
		{errors.New("plain"), IOError},
	} {
		err := Wrap(c.cause, IOError, "committing table file %s", "f")
		if err.Code != c.want {
			t.Errorf("Wrap(%v).Code = %s, want %s", c.cause, err.Code, c.want)
		}
		if !errors.Is(err, c.cause) || err.Message != "committing table file f: "+c.cause.Error() {
			t.Errorf("Wrap(%v) = %q, cause kept %v", c.cause, err.Message, errors.Is(err, c.cause))
		}
	}
}
