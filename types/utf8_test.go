package types

import "testing"

func TestInvalidUTF8Message(t *testing.T) {
	for in, want := range map[string]string{
		"ok\xff\xfe":    `invalid byte sequence for encoding "UTF8": 0xff`,
		"a\xc3(":        `invalid byte sequence for encoding "UTF8": 0xc3 0x28`,
		"\xe2\x82":      `invalid byte sequence for encoding "UTF8": 0xe2 0x82`,
		"é\xf0\x9f\x98": `invalid byte sequence for encoding "UTF8": 0xf0 0x9f 0x98`,
	} {
		if ValidUTF8([]byte(in)) {
			t.Fatalf("%q reported valid", in)
		}
		if e := InvalidUTF8([]byte(in), ""); e.Code != "22021" || e.Message != want {
			t.Errorf("%q: %s %q, want %q", in, e.Code, e.Message, want)
		}
	}
	if !ValidUTF8([]byte("日本 ünï")) {
		t.Fatal("valid text reported invalid")
	}
}
