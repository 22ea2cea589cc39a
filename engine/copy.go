package engine

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// CopyColumns is the columns a COPY FROM fills, in the data's order.
func (s *Session) CopyColumns(ctx context.Context, x *ast.Copy) ([]Column, error) {
	_, pt, err := s.resolveWritable(ctx, x.Table)
	if err != nil {
		return nil, err
	}
	if len(x.Columns) == 0 {
		out := make([]Column, len(pt.Columns))
		for i, c := range pt.Columns {
			out[i] = Column{Name: c.Name, Type: c.Type}
		}
		return out, nil
	}
	var out []Column
	for _, name := range x.Columns {
		found := false
		for _, c := range pt.Columns {
			if c.Name == name {
				out, found = append(out, Column{Name: c.Name, Type: c.Type}), true
			}
		}
		if !found {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, x.Table.Name)
		}
	}
	return out, nil
}

// CopyIn runs COPY … FROM with data the client sent, held whole (tests
// and tools); the server streams through CopyFrom.
func (s *Session) CopyIn(ctx context.Context, x *ast.Copy, data []byte) (*Result, error) {
	return s.load(ctx, x, bytes.NewReader(data))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CopyOut runs COPY … TO: each output row formatted in the COPY's
// format goes to emit (a header first when asked).
func (s *Session) CopyOut(ctx context.Context, x *ast.Copy, emit func([]byte) error) (*Result, error) {
	d, err := dialectOf(x)
	if err != nil {
		return nil, err
	}
	// the query's rows stream out as it produces them
	var res *Result
	if x.Query != nil {
		res, err = s.streamQuery(ctx, x.Query, x.QuerySQL, nil)
	} else {
		q := "SELECT * FROM " + quoteIdent(x.Table.Name)
		if x.Table.Schema != "" {
			q = "SELECT * FROM " + quoteIdent(x.Table.Schema) + "." + quoteIdent(x.Table.Name)
		}
		if len(x.Columns) > 0 {
			qc := make([]string, len(x.Columns))
			for i, c := range x.Columns {
				qc[i] = quoteIdent(c)
			}
			q = strings.Replace(q, "*", strings.Join(qc, ", "), 1)
		}
		var st ast.Stmt
		if st, err = parser.ParseOne(q); err == nil {
			res, err = s.streamQuery(ctx, st.(*ast.Select), q, nil)
		}
	}
	if err != nil {
		return nil, err
	}
	defer res.Close() // a client gone midway stops the query
	res.Loc = s.Loc
	force, err := forceQuote(x, res.Columns)
	if err != nil {
		return nil, err
	}
	if d.header {
		hdr := make([][]byte, len(res.Columns))
		for i := range res.Columns {
			hdr[i] = []byte(res.Columns[i].Name)
		}
		if err := emit(d.appendCopyRow(nil, hdr, nil)); err != nil {
			return nil, err
		}
	}
	n, err := copyRows(res, d, force, s.eng.cfg.Workers, emit)
	if err != nil {
		return nil, err
	}
	return &Result{Tag: fmt.Sprintf("COPY %d", n), Rows: n}, nil
}

// forceQuote resolves FORCE_QUOTE to the output's columns.
func forceQuote(x *ast.Copy, cols []Column) ([]bool, error) {
	if !x.ForceQuoteAll && len(x.ForceQuote) == 0 {
		return nil, nil
	}
	force := make([]bool, len(cols))
	if x.ForceQuoteAll {
		for i := range force {
			force[i] = true
		}
		return force, nil
	}
	for _, name := range x.ForceQuote {
		found := false
		for i, c := range cols {
			if c.Name == name {
				force[i], found = true, true
			}
		}
		if !found {
			if x.Query == nil && len(x.Columns) > 0 {
				return nil, sqlerr.New(sqlerr.InvalidColumnReference, "FORCE_QUOTE column \"%s\" not referenced by COPY", name)
			}
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" does not exist", name)
		}
	}
	return force, nil
}

// copyFile runs COPY with a server-side file.
func (s *Session) copyFile(ctx context.Context, x *ast.Copy) (*Result, error) {
	if x.File == "" {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "COPY %s STDIN/STDOUT needs a client that speaks the COPY protocol (psql's \\copy, lakeq serve)", map[bool]string{true: "FROM", false: "TO"}[x.From])
	}
	what := map[bool]string{true: "COPY from a file", false: "COPY to a file"}[x.From]
	if err := s.requireServerFiles(ctx, !x.From, what); err != nil {
		if se, ok := err.(*sqlerr.Error); ok && se.Code == sqlerr.InsufficientPrivilege {
			return nil, se.WithHint("Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.")
		}
		return nil, err
	}
	if x.From {
		return s.load(ctx, x, nil)
	}
	fsys := s.fs()
	// published whole on success (readers never see half a file), and
	// not at all on failure
	w, err := fsys.Create(ctx, x.File)
	if err != nil {
		return nil, err
	}
	// rows are short: a write per row was half the time of a COPY TO
	bw := bufio.NewWriterSize(w, 1<<20)
	res, err := s.CopyOut(ctx, x, func(b []byte) error { _, err := bw.Write(b); return err })
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		w.Abort()
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return res, nil
}
