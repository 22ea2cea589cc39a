package slt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runFiles(t *testing.T, files []string) {
	t.Helper()
	var passed, failed, skipped int
	for _, f := range files {
		f := f
		t.Run(strings.TrimSuffix(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), ".slt"), func(t *testing.T) {
			t.Parallel()
			res, err := RunFile(context.Background(), f, Options{Workers: 2, MaxFailures: 50})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, msg := range res.Failures {
				t.Error(msg)
			}
			if res.Passed == 0 {
				t.Errorf("%s: no record ran", f)
			}
			passed += res.Passed
			failed += res.Failed
			skipped += res.Skipped
			t.Logf("%s: %d passed, %d failed, %d skipped", f, res.Passed, res.Failed, res.Skipped)
		})
	}
}

// TestProjectSLT runs testdata/slt/<area>/*.slt.
func TestProjectSLT(t *testing.T) {
	files, err := filepath.Glob("../testdata/slt/*/*.slt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no sqllogictest files under testdata/slt")
	}
	runFiles(t, files)
}

// TestSQLiteCorpus runs ../shared/slt/sqlite/*.test (present in CI).
func TestSQLiteCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../shared/slt/sqlite/*.test")
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("../shared/slt/sqlite is missing")
		}
		t.Skip("../shared/slt/sqlite not present")
	}
	if testing.Short() {
		files = files[:1]
	}
	runFiles(t, files)
}
