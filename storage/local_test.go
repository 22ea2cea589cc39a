package storage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
)

func writeFiles(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func listAll(t *testing.T, fsys FileSystem, prefix, delim string) (objs, prefixes []string) {
	t.Helper()
	err := fsys.List(context.Background(), prefix, delim, func(pg ListPage) error {
		for _, o := range pg.Objects {
			objs = append(objs, o.Path)
		}
		prefixes = append(prefixes, pg.Prefixes...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return objs, prefixes
}

// List follows S3's semantics on local disk: a prefix is a string
// prefix, a delimiter returns folders as prefixes, keys come in byte order.
func TestLocalList(t *testing.T) {
	root := t.TempDir() + "/"
	writeFiles(t, root, "a.b", "a/x.csv", "a/y/z.csv", "ab/q", "b", "_hidden/h")
	fsys := Local{}

	objs, prefixes := listAll(t, fsys, root, "/")
	if want := []string{root + "a.b", root + "b"}; !reflect.DeepEqual(objs, want) {
		t.Errorf("objects = %v, want %v", objs, want)
	}
	if want := []string{root + "_hidden/", root + "a/", root + "ab/"}; !reflect.DeepEqual(prefixes, want) {
		t.Errorf("prefixes = %v, want %v", prefixes, want)
	}
	objs, _ = listAll(t, fsys, root+"a", "")
	if want := []string{root + "a.b", root + "a/x.csv", root + "a/y/z.csv", root + "ab/q"}; !reflect.DeepEqual(objs, want) {
		t.Errorf("recursive = %v, want %v", objs, want)
	}
	if objs, prefixes := listAll(t, fsys, root+"missing/", "/"); len(objs)+len(prefixes) != 0 {
		t.Errorf("a missing prefix lists %v %v", objs, prefixes)
	}
}

func TestLocalListPages(t *testing.T) {
	root := t.TempDir() + "/"
	var names []string
	for i := 0; i < 2500; i++ {
		names = append(names, filepath.Join("p", strings.Repeat("x", 1+i%7)+string(rune('a'+i%26))+"-"+itoa(i)))
	}
	writeFiles(t, root, names...)
	pages, n := 0, 0
	err := Local{}.List(context.Background(), root+"p/", "/", func(pg ListPage) error {
		pages++
		n += len(pg.Objects)
		if len(pg.Objects) > listPageSize {
			t.Errorf("page of %d", len(pg.Objects))
		}
		return nil
	})
	if err != nil || n != 2500 || pages != 3 {
		t.Errorf("err %v, %d objects in %d pages; want 2500 in 3", err, n, pages)
	}
}

func itoa(i int) string {
	const d = "0123456789"
	if i < 10 {
		return d[i : i+1]
	}
	return itoa(i/10) + d[i%10:i%10+1]
}

// A created object is invisible until Close, and Abort leaves nothing.
func TestLocalCreate(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	p := filepath.Join(root, "new", "deep", "obj.parquet")
	w, err := Local{}.Create(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if _, err := (Local{}).Stat(ctx, p); sqlerr.Code(err) != sqlerr.UndefinedFile {
		t.Fatalf("visible before Close: %v", err)
	}
	if objs, _ := listAll(t, Local{}, filepath.Dir(p)+"/", ""); len(objs) != 1 || !hidden(filepath.Base(objs[0])) {
		t.Fatalf("staging = %v, want one hidden file", objs)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil { // after Close: a no-op
		t.Fatal(err)
	}
	info, err := Local{}.Stat(ctx, p)
	if err != nil || info.Size != 5 || info.ETag == "" {
		t.Fatalf("after Close: %+v %v", info, err)
	}

	w, err = Local{}.Create(ctx, filepath.Join(root, "gone"))
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("x"))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if objs, _ := listAll(t, Local{}, root+"/", "/"); len(objs) != 0 {
		t.Fatalf("Abort left %v", objs)
	}
	if err := (Local{}).Delete(ctx, p, filepath.Join(root, "never")); err != nil {
		t.Fatal(err)
	}
	if ok, _ := Exists(ctx, Local{}, p); ok {
		t.Fatal("deleted object still exists")
	}
}

// Glob over List: patterns, braces, folders, hidden names skipped.
func TestGlobOverList(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, "t/dt=1/a.csv", "t/dt=2/b.csv", "t/dt=2/_SUCCESS", "t/.tmp/c.csv", "t/top.json", "u/d.csv")
	ctx := context.Background()
	rel := func(fs []ObjectInfo) []string {
		var out []string
		for _, f := range fs {
			r, _ := Rel(root, f.Path)
			out = append(out, r)
		}
		return out
	}
	for _, c := range []struct {
		pattern string
		want    []string
	}{
		{"t", []string{"t/dt=1/a.csv", "t/dt=2/b.csv", "t/top.json"}},
		{"t/**/*.csv", []string{"t/dt=1/a.csv", "t/dt=2/b.csv"}},
		{"t/dt=*/*", []string{"t/dt=1/a.csv", "t/dt=2/b.csv"}},
		{"{t,u}/*.{json,csv}", []string{"t/top.json", "u/d.csv"}},
		{"u/d.csv", []string{"u/d.csv"}},
		{"nothing/*.csv", nil},
	} {
		got, err := Glob(ctx, Local{}, filepath.Join(root, c.pattern))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rel(got), c.want) {
			t.Errorf("Glob(%s) = %v, want %v", c.pattern, rel(got), c.want)
		}
	}
	dirs, err := Folders(ctx, Local{}, filepath.Join(root, "t"))
	if err != nil || !reflect.DeepEqual(dirs, []string{"dt=1", "dt=2"}) {
		t.Errorf("Folders = %v %v", dirs, err)
	}
}

func TestRegistry(t *testing.T) {
	r := DefaultRegistry()
	if _, p, err := r.For("file:///tmp/x"); err != nil || p != "/tmp/x" {
		t.Errorf("file:// → %q %v", p, err)
	}
	if _, _, err := r.For("s3://b/k"); sqlerr.Code(err) != sqlerr.FeatureNotSupported || !strings.Contains(err.Error(), "S3 is not configured") {
		t.Errorf("s3 without S3: %v", err)
	}
	if _, _, err := r.For("gs://b/k"); sqlerr.Code(err) != sqlerr.FeatureNotSupported || !strings.Contains(err.Error(), `"gs"`) {
		t.Errorf("gs: %v", err)
	}
	if got := Join("s3://b/p/", "dt=1", "f.parquet"); got != "s3://b/p/dt=1/f.parquet" {
		t.Errorf("Join = %s", got)
	}
	if got := Dir("s3://b/p/f"); got != "s3://b/p" {
		t.Errorf("Dir = %s", got)
	}
	if got, _ := Rel("s3://b/p", "s3://b/p/x/y"); got != "x/y" {
		t.Errorf("Rel = %s", got)
	}
}

// A local file lends its bytes from a mapping (valid until Close); a
// file truncated under the mapping faults on access, which a reader
// running with debug.SetPanicOnFault recovers as an error instead of
// the process dying.
func TestLocalFileBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Local{}.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bs := f.(ByteLender)
	b, ok := bs.Bytes(100, 50)
	if !ok || !bytes.Equal(b, data[100:150]) {
		t.Fatalf("Bytes(100, 50) = %q, %v", b, ok)
	}
	if _, ok := bs.Bytes(int64(len(data))-10, 20); ok {
		t.Fatal("a range past the end was lent")
	}
	tail, ok := bs.Bytes(int64(len(data))-8192, 8192)
	if !ok {
		t.Fatal("the tail was not lent")
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	var last byte
	fault := func() (err error) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		for _, c := range tail {
			last ^= c
		}
		return nil
	}()
	if fault == nil {
		t.Fatalf("reading a truncated mapping did not fault (read %d)", last)
	}
}
