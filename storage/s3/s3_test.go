package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeq/lakeq/internal/tests3"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
)

func newFS(t *testing.T, srv *tests3.Server, mod func(*Config)) *FS {
	t.Helper()
	cfg := Config{Endpoint: srv.Endpoint, Region: "us-east-1", AccessKey: srv.AccessKey, SecretKey: srv.Secret, PartSize: 5 << 20, RequestTimeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	fs, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func put(t *testing.T, fs storage.FileSystem, path string, data []byte) {
	t.Helper()
	w, err := fs.Create(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestObjects(t *testing.T) {
	srv := tests3.Start(t, "lake")
	fs := newFS(t, srv, nil)
	ctx := context.Background()

	put(t, fs, "s3://lake/t/a.csv", []byte("1,x\n2,y\n"))
	info, err := fs.Stat(ctx, "s3://lake/t/a.csv")
	if err != nil || info.Size != 8 || info.ETag == "" || info.Path != "s3://lake/t/a.csv" {
		t.Fatalf("Stat = %+v, %v", info, err)
	}
	f, err := fs.Open(ctx, "s3://lake/t/a.csv")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if n, err := f.ReadAt(buf, 2); n != 3 || err != nil || string(buf) != "x\n2" {
		t.Fatalf("ReadAt = %d %v %q", n, err, buf)
	}
	// a read past the end returns what there is and io.EOF, as os.File does
	buf = make([]byte, 10)
	if n, err := f.ReadAt(buf, 4); n != 4 || err != io.EOF || string(buf[:n]) != "2,y\n" {
		t.Fatalf("ReadAt at the end = %d %v %q", n, err, buf[:n])
	}
	if n, err := f.ReadAt(buf, 8); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt past the end = %d %v", n, err)
	}

	// the object is replaced: the open file refuses to mix contents
	put(t, fs, "s3://lake/t/a.csv", []byte("3,z\n4,w\n"))
	if _, err := f.ReadAt(buf[:3], 0); sqlerr.Code(err) != sqlerr.ObjectNotInPrerequisiteState || !strings.Contains(err.Error(), "s3://lake/t/a.csv") {
		t.Fatalf("read of a replaced object: %v", err)
	}

	for _, c := range []struct {
		path, code, text string
	}{
		{"s3://lake/t/missing.csv", sqlerr.UndefinedFile, "s3://lake/t/missing.csv"},
		{"s3://nobucket/x", sqlerr.UndefinedFile, "NoSuchBucket"},
	} {
		if _, err := fs.Open(ctx, c.path); sqlerr.Code(err) != c.code || !strings.Contains(err.Error(), c.text) {
			t.Errorf("Open(%s) = %v, want %s naming %s", c.path, err, c.code, c.text)
		}
	}
	if err := fs.Delete(ctx, "s3://lake/t/a.csv", "s3://lake/t/never"); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(ctx, "s3://lake/t/a.csv"); sqlerr.Code(err) != sqlerr.UndefinedFile {
		t.Fatalf("deleted object: %v", err)
	}
}

// More than 1,000 keys come in several pages; a delimiter gives folders.
func TestListPages(t *testing.T) {
	srv := tests3.Start(t, "lake")
	// the posix backend's objects are files: write them directly, faster
	// than 1,200 PUTs
	for i := 0; i < 1200; i++ {
		p := filepath.Join(srv.Root, "lake", "big", fmt.Sprintf("dt=%02d", i%12), fmt.Sprintf("part-%04d.csv", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fs := newFS(t, srv, nil)
	ctx := context.Background()
	pages, n := 0, 0
	err := fs.List(ctx, "s3://lake/big/", "", func(pg storage.ListPage) error {
		pages++
		n += len(pg.Objects)
		return nil
	})
	if err != nil || n != 1200 || pages < 2 {
		t.Fatalf("List = %d objects in %d pages, %v; want 1200 in ≥ 2", n, pages, err)
	}
	dirs, err := storage.Folders(ctx, fs, "s3://lake/big")
	if err != nil || len(dirs) != 12 || dirs[0] != "dt=00" {
		t.Fatalf("Folders = %v, %v", dirs, err)
	}
	got, err := storage.Glob(ctx, fs, "s3://lake/big/dt=0{1,2}/*.csv")
	if err != nil || len(got) != 200 {
		t.Fatalf("Glob = %d, %v", len(got), err)
	}
	if ok, err := storage.Exists(ctx, fs, "s3://lake/big/dt=03"); !ok || err != nil {
		t.Fatalf("Exists(prefix) = %v %v", ok, err)
	}
	if ok, err := storage.Exists(ctx, fs, "s3://lake/none"); ok || err != nil {
		t.Fatalf("Exists(empty prefix) = %v %v", ok, err)
	}
}

// An object past one part is a multipart upload; Abort publishes nothing.
func TestMultipart(t *testing.T) {
	srv := tests3.Start(t, "lake")
	fs := newFS(t, srv, nil)
	ctx := context.Background()
	data := make([]byte, 11<<20+123)
	rand.Read(data)
	w, err := fs.Create(ctx, "s3://lake/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(data); off += 1 << 20 {
		if _, err := w.Write(data[off:min(off+1<<20, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fs.Stat(ctx, "s3://lake/big.bin"); sqlerr.Code(err) != sqlerr.UndefinedFile {
		t.Fatalf("visible before Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := fs.Open(ctx, "s3://lake/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(data))
	if n, err := f.ReadAt(got, 0); n != len(data) || (err != nil && err != io.EOF) || !bytes.Equal(got, data) {
		t.Fatalf("multipart object reads back %d bytes, %v", n, err)
	}

	w, err = fs.Create(ctx, "s3://lake/aborted.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(ctx, "s3://lake/aborted.bin"); sqlerr.Code(err) != sqlerr.UndefinedFile {
		t.Fatalf("aborted upload is visible: %v", err)
	}
}

// TestAbortUploads: a writer that dies between its first part and its
// completion leaves an unfinished upload, listed by Uploads; AbortUploads
// drops that object's and no other's (a longer name with the same
// beginning keeps its upload).
func TestAbortUploads(t *testing.T) {
	srv := tests3.Start(t, "lake")
	fs := newFS(t, srv, nil)
	ctx := context.Background()
	data := make([]byte, 11<<20)
	rand.Read(data)
	for _, p := range []string{"s3://lake/d/f.parquet", "s3://lake/d/f.parquet.2"} {
		w, err := fs.Create(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil { // two parts sent, never completed
			t.Fatal(err)
		}
	}
	ups, err := fs.Uploads(ctx, "s3://lake/d/")
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 2 {
		t.Fatalf("uploads %v, want the two unfinished ones", ups)
	}
	n, err := fs.AbortUploads(ctx, "s3://lake/d/f.parquet", "s3://lake/d/never-started.parquet")
	if err != nil || n != 1 {
		t.Fatalf("AbortUploads: %d, %v; want 1", n, err)
	}
	ups, err = fs.Uploads(ctx, "s3://lake/d/")
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 || ups[0].Path != "s3://lake/d/f.parquet.2" {
		t.Fatalf("uploads left %v, want only f.parquet.2's", ups)
	}
	if _, err := fs.Stat(ctx, "s3://lake/d/f.parquet"); sqlerr.Code(err) != sqlerr.UndefinedFile {
		t.Fatalf("an aborted upload made an object: %v", err)
	}
}

// Wrong credentials and an endpoint that does not answer are clear errors
// in bounded time, and no secret appears in them.
func TestBadConfig(t *testing.T) {
	srv := tests3.Start(t, "lake")
	ctx := context.Background()
	bad := newFS(t, srv, func(c *Config) { c.SecretKey = "wrong-secret-value" })
	_, err := bad.Stat(ctx, "s3://lake/x")
	if c := sqlerr.Code(err); c != sqlerr.InvalidAuthorization && c != sqlerr.InsufficientPrivilege {
		t.Fatalf("wrong secret: %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") || strings.Contains(err.Error(), srv.Secret) {
		t.Fatalf("the error shows a secret: %v", err)
	}
	// a port nothing listens on
	dead := newFS(t, srv, func(c *Config) { c.Endpoint = "http://127.0.0.1:1"; c.MaxAttempts = 2 })
	start := time.Now()
	_, err = dead.Stat(ctx, "s3://lake/x")
	if sqlerr.Code(err) != sqlerr.IOError || !strings.Contains(err.Error(), "127.0.0.1:1") || time.Since(start) > 10*time.Second {
		t.Fatalf("dead endpoint: %v after %v", err, time.Since(start))
	}
}

func TestPathStyle(t *testing.T) {
	for ep, want := range map[string]bool{"http://127.0.0.1:7070": true, "http://localhost:9000": true, "https://s3.eu-west-1.amazonaws.com": false, "http://[::1]:80": true} {
		if got := localEndpoint(ep); got != want {
			t.Errorf("localEndpoint(%s) = %v", ep, got)
		}
	}
}

// An object deleted after Open is a clear error naming it, and a server
// that stops answering fails a read within the configured bounds.
func TestDeletedAndStalled(t *testing.T) {
	srv := tests3.Start(t, "lake")
	fs := newFS(t, srv, nil)
	ctx := context.Background()
	put(t, fs, "s3://lake/d.bin", []byte("0123456789"))
	f, err := fs.Open(ctx, "s3://lake/d.bin")
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Delete(ctx, "s3://lake/d.bin"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadAt(make([]byte, 4), 0); sqlerr.Code(err) != sqlerr.UndefinedFile || !strings.Contains(err.Error(), "s3://lake/d.bin") {
		t.Fatalf("read of a deleted object: %v", err)
	}

	put(t, fs, "s3://lake/s.bin", []byte("0123456789"))
	proxy := tests3.StartProxy(t, srv)
	proxy.StallFor = time.Minute
	slow := newFS(t, srv, func(c *Config) { c.Endpoint = proxy.URL; c.RequestTimeout = 300 * time.Millisecond; c.MaxAttempts = 2 })
	f, err = slow.Open(ctx, "s3://lake/s.bin")
	if err != nil {
		t.Fatal(err)
	}
	proxy.SetPlan(func(*http.Request, int) tests3.Fault { return tests3.Stall })
	start := time.Now()
	_, err = f.ReadAt(make([]byte, 4), 0)
	if sqlerr.Code(err) != sqlerr.IOError || time.Since(start) > 10*time.Second {
		t.Fatalf("stalled server: %v after %v", err, time.Since(start))
	}
	t.Logf("stalled server: %v after %v", err, time.Since(start).Round(time.Millisecond))
}
