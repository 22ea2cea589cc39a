package tpch

import (
	"bufio"
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/lakeq/lakeq/storage"
	lqparquet "github.com/lakeq/lakeq/storage/parquet"
)

// chunkRows is the number of driver rows one generation task covers.
func chunkRows(table string) int64 {
	switch table {
	case "orders", "lineitem":
		return 30000
	case "partsupp":
		return 30000
	}
	return 120000
}

// Write generates table into dir/<table>.<parquet|csv|jsonl> (a local folder
// or an s3:// prefix), in parallel chunks written in order; the object
// appears whole when done, or not at all. It returns the number of rows
// written.
func (g *Generator) Write(ctx context.Context, fsys storage.FileSystem, table, dir, format string) (int64, error) {
	if Schema(table) == nil {
		return 0, fmt.Errorf("unknown TPC-H table %q", table)
	}
	ext := map[string]string{"parquet": ".parquet", "csv": ".csv", "json": ".jsonl"}[format]
	if ext == "" {
		return 0, fmt.Errorf("unknown format %q (parquet, csv or json)", format)
	}
	f, err := fsys.Create(ctx, storage.Join(dir, table+ext))
	if err != nil {
		return 0, err
	}
	defer f.Abort() // a no-op once committed
	var sink func(arrow.Record) error
	var closeSink func() error
	switch format {
	case "parquet":
		// the writer opens on the first chunk, whose values choose
		// which columns get a dictionary
		var w *pqarrow.FileWriter
		open := func(sample arrow.Record) error {
			var err error
			w, err = pqarrow.NewFileWriter(Schema(table), f, lqparquet.WriterProperties(sample), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
			return err
		}
		sink = func(r arrow.Record) error {
			if w == nil {
				if err := open(r); err != nil {
					return err
				}
			}
			return w.WriteBuffered(r)
		}
		closeSink = func() error {
			if w == nil {
				if err := open(nil); err != nil {
					return err
				}
			}
			return w.Close()
		}
	default:
		bw := bufio.NewWriterSize(f, 1<<20)
		sink = func(r arrow.Record) error { return writeText(bw, r, format == "json") }
		closeSink = func() error {
			if err := bw.Flush(); err != nil {
				return err
			}
			return f.Close()
		}
	}
	total := g.Rows(table)
	step := chunkRows(table)
	nchunks := int((total + step - 1) / step)
	results := make([]chan arrow.Record, nchunks)
	for i := range results {
		results[i] = make(chan arrow.Record, 1)
	}
	workers := runtime.GOMAXPROCS(0)
	next := make(chan int, nchunks)
	for i := 0; i < nchunks; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	// bound memory: at most 2 chunks ahead per worker
	sem := make(chan struct{}, 2*workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				// take a slot before a chunk, so the lowest unwritten
				// chunk always holds one (no deadlock with the writer)
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				}
				i, ok := <-next
				if !ok {
					<-sem
					return
				}
				from := int64(i) * step
				results[i] <- g.Generate(table, from, min(from+step, total))
			}
		}()
	}
	var rows int64
	var werr error
	for i := 0; i < nchunks; i++ {
		var rec arrow.Record
		select {
		case rec = <-results[i]:
		case <-ctx.Done():
			werr = ctx.Err()
		}
		if werr != nil {
			break
		}
		rows += rec.NumRows()
		if err := sink(rec); err != nil {
			werr = err
		}
		rec.Release()
		<-sem
		if werr != nil {
			break
		}
	}
	if werr != nil {
		// unblock workers
		go func() {
			for range sem {
			}
		}()
		f.Abort()
		return 0, werr
	}
	wg.Wait()
	if err := closeSink(); err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil { // a no-op if the Parquet writer committed it
		return 0, err
	}
	return rows, nil
}

var epoch = time.Unix(0, 0).UTC()

// writeText writes rows '|'-separated, as dbgen's .tbl files (no
// header), or as JSON Lines: one object a row keyed by column name,
// numbers bare, text and dates as strings.
func writeText(w *bufio.Writer, r arrow.Record, jsonLines bool) error {
	buf := make([]byte, 0, 512)
	n := int(r.NumRows())
	names := r.Schema().Fields()
	for i := 0; i < n; i++ {
		buf = buf[:0]
		if jsonLines {
			buf = append(buf, '{')
		}
		for c := 0; c < int(r.NumCols()); c++ {
			switch {
			case jsonLines && c > 0:
				buf = append(buf, ", "...)
			case c > 0:
				buf = append(buf, '|')
			}
			if jsonLines {
				buf = appendJSONString(buf, names[c].Name)
				buf = append(buf, ": "...)
			}
			switch a := r.Column(c).(type) {
			case *array.Int32:
				buf = strconv.AppendInt(buf, int64(a.Value(i)), 10)
			case *array.String:
				if jsonLines {
					buf = appendJSONString(buf, a.Value(i))
				} else {
					buf = append(buf, a.Value(i)...)
				}
			case *array.Decimal128:
				v := a.Value(i).LowBits()
				iv := int64(v)
				if iv < 0 {
					buf = append(buf, '-')
					iv = -iv
				}
				buf = strconv.AppendInt(buf, iv/100, 10)
				buf = append(buf, '.')
				frac := iv % 100
				if frac < 10 {
					buf = append(buf, '0')
				}
				buf = strconv.AppendInt(buf, frac, 10)
			case *array.Date32:
				if jsonLines {
					buf = append(buf, '"')
				}
				buf = epoch.AddDate(0, 0, int(a.Value(i))).AppendFormat(buf, "2006-01-02")
				if jsonLines {
					buf = append(buf, '"')
				}
			}
		}
		if jsonLines {
			buf = append(buf, '}')
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// appendJSONString appends s as a JSON string.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			buf = append(buf, '\\', c)
		case c < 0x20:
			buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			buf = append(buf, c)
		}
	}
	return append(buf, '"')
}
