package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func dumpResult(r *Result) string {
	var b strings.Builder
	for i := 0; i < int(r.NumRows()); i++ {
		for c := range r.Columns {
			fmt.Fprintf(&b, "%v|", r.Value(i, c))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestRedactSQL(t *testing.T) {
	for in, want := range map[string]string{
		"SET s3_secret_access_key = 'abc''d'":                   "SET s3_secret_access_key = '********'",
		"set S3_SESSION_TOKEN to tok123; SELECT 1":              "set S3_SESSION_TOKEN to '********'; SELECT 1",
		"SELECT set_config('s3_secret_access_key', 'k', false)": "SELECT set_config('s3_secret_access_key', '********', false)",
		"SET s3_region = 'eu-west-1'":                           "SET s3_region = 'eu-west-1'",
		"SELECT 's3_secret_access_key'":                         "SELECT 's3_secret_access_key'",
	} {
		if got := redactSQL(in); got != want {
			t.Errorf("redactSQL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A secret setting never shows: SHOW, SHOW ALL and the query history
// hide it, while the session uses it.
func TestS3SecretsHidden(t *testing.T) {
	e, s := open(t, t.TempDir())
	mustExec(t, s, "SET s3_secret_access_key = 'sekret-value-42'")
	for _, q := range []string{"SHOW s3_secret_access_key", "SHOW ALL", "SELECT query_text FROM sys.query_history"} {
		if err := e.hist.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		res, err := s.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(dumpResult(res), "sekret-value-42") {
			t.Errorf("%s shows the secret: %s", q, dumpResult(res))
		}
	}
	if s.Settings["s3_secret_access_key"] != "sekret-value-42" {
		t.Error("the session lost the setting")
	}
	if s.fs() == e.fs {
		t.Error("a session with its own S3 keys reads through the engine's client")
	}
	if _, err := s.Query(context.Background(), "SET s3_secret_key = 'x'"); err == nil || !strings.Contains(err.Error(), "s3_secret_key") {
		t.Errorf("a misspelt S3 setting: %v", err)
	}
	mustExec(t, s, "RESET ALL")
	if s.fs() != e.fs {
		t.Error("after RESET ALL the session keeps its own client")
	}
}
