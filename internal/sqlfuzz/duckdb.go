package sqlfuzz

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lakeq/lakeq/types"
)

// duck is DuckDB in a child node process (bench/duckdb_oracle.mjs over
// @duckdb/node-api, the peer bench/ measures against), asked one
// statement at a time over pipes. A statement that does not answer
// within the timeout kills the process; the next call starts another.
type duck struct {
	benchDir string
	cmd      *exec.Cmd
	in       io.WriteCloser
	out      *bufio.Reader
	replies  chan duckReply
	setup    []string // statements replayed after a restart
}

type duckReply struct {
	OK    bool        `json:"ok"`
	Types []string    `json:"types"`
	Rows  [][]*string `json:"rows"`
	Error string      `json:"error"`
	err   error       // the pipe failed
}

// errDuckTimeout is a statement DuckDB did not finish in time.
var errDuckTimeout = errors.New("DuckDB did not answer in time")

// newDuck starts DuckDB; benchDir holds duckdb_oracle.mjs and the
// node_modules `npm ci` installed there.
func newDuck(benchDir string) (*duck, error) {
	if _, err := os.Stat(filepath.Join(benchDir, "node_modules", "@duckdb", "node-api")); err != nil {
		return nil, fmt.Errorf("sqlfuzz: DuckDB's Node API is not installed in %s (run npm ci there): %w", benchDir, err)
	}
	d := &duck{benchDir: benchDir}
	return d, d.start()
}

func (d *duck) start() error {
	cmd := exec.Command("node", "duckdb_oracle.mjs")
	cmd.Dir = d.benchDir
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("sqlfuzz: starting DuckDB (node): %w", err)
	}
	d.cmd, d.in, d.out = cmd, in, bufio.NewReaderSize(out, 1<<20)
	d.replies = make(chan duckReply, 1)
	go func(r *bufio.Reader, replies chan<- duckReply) {
		defer close(replies)
		for {
			line, err := r.ReadBytes('\n')
			if err != nil {
				replies <- duckReply{err: fmt.Errorf("sqlfuzz: DuckDB exited: %w", err)}
				return
			}
			var rep duckReply
			if err := json.Unmarshal(line, &rep); err != nil {
				rep = duckReply{err: fmt.Errorf("sqlfuzz: DuckDB's answer: %w", err)}
			}
			replies <- rep
		}
	}(d.out, d.replies)
	for _, s := range d.setup {
		if rep := d.send(context.Background(), s, 30*time.Second); rep.err != nil || !rep.OK && !strings.HasPrefix(s, "DROP") {
			return fmt.Errorf("sqlfuzz: DuckDB: %s: %v%s", s, rep.err, rep.Error)
		}
	}
	return nil
}

func (d *duck) stop() {
	if d.cmd == nil {
		return
	}
	d.in.Close()
	done := make(chan struct{})
	go func() { d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		d.cmd.Process.Kill()
		<-done
	}
	d.cmd = nil
}

// send runs one statement; a pipe failure or timeout is reply.err.
func (d *duck) send(ctx context.Context, sql string, timeout time.Duration) duckReply {
	if d.cmd == nil {
		if err := d.start(); err != nil {
			return duckReply{err: err}
		}
	}
	req, _ := json.Marshal(map[string]string{"sql": sql})
	if _, err := d.in.Write(append(req, '\n')); err != nil {
		d.stop()
		return duckReply{err: fmt.Errorf("sqlfuzz: writing to DuckDB: %w", err)}
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case rep, ok := <-d.replies:
		if !ok {
			rep.err = errors.New("sqlfuzz: DuckDB exited")
		}
		if rep.err != nil {
			d.stop()
		}
		return rep
	case <-t.C:
		d.cmd.Process.Kill()
		d.stop()
		return duckReply{err: errDuckTimeout}
	case <-ctx.Done():
		d.cmd.Process.Kill()
		d.stop()
		return duckReply{err: ctx.Err()}
	}
}

// load points DuckDB's tables at files: views over each table's Parquet
// copy, the very files lakeq's parquet layout reads (a table without
// files, having no rows, is created empty from its CREATE TABLE). They
// are replayed if the process restarts.
func (d *duck) load(ctx context.Context, tables []*Table, files map[string]string) error {
	d.setup = d.setup[:0]
	for _, t := range tables {
		d.setup = append(d.setup, "DROP VIEW IF EXISTS "+t.Name, "DROP TABLE IF EXISTS "+t.Name)
		glob := filepath.Join(files[t.Name], "*.parquet")
		if m, _ := filepath.Glob(glob); len(m) == 0 {
			// DuckDB's json type is an extension's: jsonb as text
			d.setup = append(d.setup, strings.Replace(t.CreateSQL(), " jsonb", " varchar", 1))
			continue
		}
		// lakeq's files hold a plain numeric as each value's text (its
		// scale is the value's); DuckDB reads it as a decimal
		d.setup = append(d.setup, fmt.Sprintf("CREATE VIEW %s AS SELECT * REPLACE (CAST(m AS DECIMAL(18,4)) AS m) FROM read_parquet('%s')", t.Name, strings.ReplaceAll(glob, "'", "''")))
	}
	for _, s := range d.setup {
		rep := d.send(ctx, s, 30*time.Second)
		if rep.err != nil {
			return rep.err
		}
		if !rep.OK && !strings.HasPrefix(s, "DROP") { // one of the two drops fails: a name is a view or a table
			return fmt.Errorf("sqlfuzz: DuckDB: %s: %s", s, rep.Error)
		}
	}
	return nil
}

// query runs sql; DuckDB's refusal is dErr (a dialect difference, not a
// finding), a broken or timed-out process is err.
func (d *duck) query(ctx context.Context, sql string) (out rows, dErr string, err error) {
	rep := d.send(ctx, sql, 20*time.Second)
	if rep.err != nil {
		return nil, "", rep.err
	}
	if !rep.OK {
		return nil, rep.Error, nil
	}
	for _, r := range rep.Rows {
		row := make([]string, len(r))
		for i, v := range r {
			row[i] = duckCell(v, rep.Types, i)
		}
		out = append(out, row)
	}
	return out, "", nil
}

// duckCell renders a DuckDB cell as PostgreSQL's text would be: booleans
// t/f, floats in PostgreSQL's shortest form; the rest as DuckDB prints.
func duckCell(v *string, ts []string, i int) string {
	if v == nil {
		return "NULL"
	}
	t := ""
	if i < len(ts) {
		t = ts[i]
	}
	switch t {
	case "BOOLEAN":
		if *v == "true" {
			return "t"
		}
		return "f"
	case "DOUBLE", "FLOAT":
		if f, err := strconv.ParseFloat(*v, 64); err == nil {
			return types.FormatFloat(f, 64)
		}
	}
	return *v
}
