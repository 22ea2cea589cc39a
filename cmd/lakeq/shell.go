package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peterh/liner"
	"golang.org/x/term"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// shell runs statements and backslash commands from the command line, a
// script or a terminal, printing results as they stream.
type shell struct {
	conn   conn
	pr     printer
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// out is where results go: stdout, or the file of \o
	out     io.Writer
	outFile *os.File

	prompt      string // the database's name, as psql's prompt
	timing      bool   // \timing: the elapsed time of every statement
	quiet       bool   // no progress line, footers or informational messages
	stopOnError bool   // a script stops at its first error
	dryRun      bool   // price queries (EXPLAIN (COST)) instead of running them
	interactive bool   // reading a terminal: errors never stop the shell
	// progressOK: stderr is a terminal, so the progress line may be drawn
	progressOK bool
	// stdoutTerm: stdout is a terminal (its width bounds table rows)
	stdoutTerm bool
	failed     bool // a statement or command failed
	quit       bool // \q

	// buf holds the lines of a statement not yet ended by ';'
	buf strings.Builder
	// sigint receives Ctrl-C while a statement runs in the interactive
	// shell, which cancels the statement and keeps the shell
	sigint chan os.Signal
	cat    *catalogNames
	// history is what the interactive shell's line editor remembers
	history func(string)
	// src yields the input's next line (false at its end): the data of
	// a COPY … FROM STDIN follows the statement in the same input, as
	// in psql (and pg_dump's scripts)
	src func() (string, bool)
}

// open reports whether the statement buffer ends inside a literal or
// comment (a backslash there is part of the SQL).
func (s *shell) open() bool {
	_, _, open := splitStatements(s.buf.String())
	return open
}

// feed takes one line of input: a backslash command, or SQL that runs
// once a ';' ends a statement. It reports whether to go on (not after
// \q, nor after an error in a script that stops on errors).
func (s *shell) feed(ctx context.Context, line string) bool {
	if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, `\`) && !s.open() {
		ok := s.meta(ctx, trimmed)
		s.remember(trimmed)
		if !ok {
			s.failed = true
		}
		return !s.quit && (ok || !s.stopOnError || s.interactive)
	}
	if s.buf.Len() == 0 && s.interactive && isQuitWord(line) {
		s.quit = true
		return false
	}
	s.buf.WriteString(line)
	s.buf.WriteByte('\n')
	stmts, rest, _ := splitStatements(s.buf.String())
	if len(stmts) == 0 {
		if strings.TrimSpace(rest) == "" {
			s.buf.Reset()
		}
		return true
	}
	s.buf.Reset()
	if strings.TrimSpace(rest) != "" {
		s.buf.WriteString(strings.TrimLeft(rest, "\n"))
	}
	s.remember(strings.Join(stmts, "; ") + ";")
	for _, st := range stmts {
		if !s.statement(ctx, st) && s.stopOnError && !s.interactive {
			return false
		}
	}
	return true
}

// isQuitWord: psql's shell also leaves on a bare quit or exit.
func isQuitWord(line string) bool {
	t := strings.TrimSpace(line)
	return t == "quit" || t == "exit"
}

// flush runs what is left in the buffer at the end of input (psql runs
// a last statement without its ';').
func (s *shell) flush(ctx context.Context) bool {
	rest := strings.TrimSpace(s.buf.String())
	s.buf.Reset()
	if rest == "" {
		return true
	}
	return s.statement(ctx, rest) || !s.stopOnError
}

func (s *shell) remember(entry string) {
	if s.history != nil {
		s.history(strings.Join(strings.Fields(entry), " "))
	}
}

// runText runs a script (-c, -f, \i, stdin) line by line; false when it
// stopped early.
func (s *shell) runText(ctx context.Context, text string) bool {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	prev := s.src
	defer func() { s.src = prev }()
	s.src = func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		return sc.Text(), true
	}
	for {
		line, ok := s.src()
		if !ok {
			break
		}
		if !s.feed(ctx, line) {
			return false
		}
	}
	return s.flush(ctx)
}

// stdioCopy reports whether sql is a COPY from STDIN or to STDOUT (not
// Redshift's COPY, whose source is always a file or prefix).
func stdioCopy(sql string) (from, ok bool) {
	if firstKeyword(sql) != "copy" {
		return false, false
	}
	stmts, err := parser.Parse(sql)
	if err != nil || len(stmts) != 1 {
		return false, false
	}
	x, isCopy := stmts[0].AST.(*ast.Copy)
	if !isCopy || x.Redshift || x.File != "" {
		return false, false
	}
	return x.From, true
}

// copyData reads a COPY's data from the input until a line "\." or its
// end, as psql does.
func (s *shell) copyData() io.Reader {
	if s.interactive && !s.quiet {
		fmt.Fprintln(s.stdout, "Enter data to be copied followed by a newline.\nEnd with a backslash and a period on a line by itself, or an EOF signal.")
	}
	var b bytes.Buffer
	for s.src != nil {
		line, ok := s.src()
		if !ok || line == `\.` {
			break
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return &b
}

// stdioStatement runs a COPY … FROM STDIN with the input's next lines, or
// a COPY … TO STDOUT into the results' output.
func (s *shell) stdioStatement(ctx context.Context, sql string, from bool) bool {
	if from {
		return s.runCopy(ctx, sql, s.copyData(), nil)
	}
	return s.runCopy(ctx, sql, nil, s.out)
}

// runCopy runs a COPY … FROM STDIN with the data of in, or (in nil) a
// COPY … TO STDOUT into out, and prints its tag: SQL's COPY on the
// shell's input and output, and \copy on the shell's files.
func (s *shell) runCopy(ctx context.Context, sql string, in io.Reader, out io.Writer) bool {
	ctx, cancel := s.statementCtx(ctx)
	defer cancel()
	var tag string
	var err error
	if in != nil {
		tag, err = s.conn.CopyIn(ctx, sql, in)
	} else {
		tag, err = s.conn.CopyOut(ctx, sql, out)
	}
	if err != nil {
		s.fail(sql, err)
		return false
	}
	if s.cat != nil {
		s.cat.stale = true
	}
	s.info("%s", tag)
	return true
}

// statementCtx is the context a statement runs under: in the interactive
// shell Ctrl-C cancels it (and only it).
func (s *shell) statementCtx(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	if s.sigint == nil {
		return ctx, cancel
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-s.sigint:
			cancel()
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel() }
}

// statement runs one SQL statement and prints its outcome; false when it
// failed.
func (s *shell) statement(ctx context.Context, sql string) bool {
	if from, ok := stdioCopy(sql); ok && !s.dryRun {
		return s.stdioStatement(ctx, sql, from)
	}
	if s.dryRun {
		if !isQuery(sql) {
			s.fail(sql, sqlerr.New(sqlerr.FeatureNotSupported, "--dry-run prices queries only; not run: %s", firstWords(sql)))
			return false
		}
		sql = "EXPLAIN (COST) " + sql
	}
	ctx, cancel := s.statementCtx(ctx)
	defer cancel()
	var pw io.Writer
	if s.progressOK && !s.quiet {
		pw = s.stderr
	}
	prog := startProgress(pw, s.termWidth(), s.conn.Progress)
	defer prog.end()
	out := s.out
	if pw != nil && s.outFile == nil && s.stdoutTerm {
		out = progressWriter{w: out, p: prog}
	}
	s.pr.width = 0
	if s.outFile == nil && s.stdoutTerm {
		s.pr.width = s.termWidth()
	}
	start := time.Now()
	res, err := s.conn.Run(ctx, sql)
	if err != nil {
		prog.end()
		s.fail(sql, err)
		return false
	}
	var n int64
	cols := res.Columns()
	if cols != nil {
		n, err = s.pr.print(out, res, prog.add)
	}
	res.Close()
	prog.end()
	s.notices(res)
	elapsed := time.Since(start)
	if err != nil {
		s.fail(sql, err)
		return false
	}
	if cols == nil && !s.quiet && s.tableFormat() {
		fmt.Fprintln(s.out, res.Tag())
	}
	if isDDL(sql) && s.cat != nil {
		s.cat.stale = true
	}
	s.footer(res, n, cols != nil, elapsed)
	return true
}

func (s *shell) tableFormat() bool { return s.pr.format == "table" || s.pr.format == "aligned" }

// footer prints after a statement what Athena's console shows: the time
// it took, the data it scanned and what that costs at the session's
// price per TB. Scripts see it when the statement read storage (or
// with \timing); the interactive shell after every statement.
func (s *shell) footer(res result, rows int64, query bool, elapsed time.Duration) {
	if s.quiet || !s.tableFormat() {
		return
	}
	sc, known := res.Scanned()
	touched := known && (sc.Bytes > 0 || sc.Files > 0)
	var parts []string
	if s.timing || s.interactive || touched {
		parts = append(parts, fmt.Sprintf("Time: %.3f ms", float64(elapsed.Microseconds())/1000))
	}
	if touched {
		line := fmt.Sprintf("Data scanned: %s (%d %s", humanBytes(sc.Bytes), sc.Files, plural(sc.Files, "file", "files"))
		if sc.Partitions > 0 || sc.PartitionsPruned > 0 {
			line += fmt.Sprintf("; %d partitions read, %d pruned", sc.Partitions, sc.PartitionsPruned)
		}
		parts = append(parts, line+")")
		price := s.conn.PricePerTB()
		parts = append(parts, "Cost: "+engine.FormatCost(engine.ScanCost(sc.Bytes, true, price)))
	}
	if len(parts) > 0 {
		line := strings.Join(parts, " · ")
		if w := s.pr.width; w > 0 && utf8.RuneCountInString(line) > w {
			line = strings.Join(parts, "\n") // a narrow terminal: one figure a line
		}
		fmt.Fprintln(s.out, line)
	}
	if query {
		fmt.Fprintln(s.out)
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *shell) notices(res result) {
	for _, n := range res.Notices() {
		fmt.Fprintf(s.stderr, "NOTICE:  %s\n", n)
	}
}

// fail prints a statement's error as psql does and marks the run failed.
func (s *shell) fail(sql string, err error) {
	s.failed = true
	var se *sqlerr.Error
	if errors.As(err, &se) {
		printError(s.stderr, sql, err)
		return
	}
	fmt.Fprintf(s.stderr, "lakeq: %v\n", err)
}

// termWidth is stdout's width when it is a terminal (else 0).
func (s *shell) termWidth() int {
	if !s.stdoutTerm {
		return 0
	}
	if f, ok := s.stdout.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 0
}

// isQuery reports whether sql is a query (what --dry-run can price).
func isQuery(sql string) bool {
	switch firstKeyword(sql) {
	case "select", "with", "values", "table", "(":
		return true
	}
	return false
}

// isDDL reports whether sql may change the catalog (completion's names).
func isDDL(sql string) bool {
	switch firstKeyword(sql) {
	case "create", "drop", "alter", "msck", "call", "copy", "unload", "insert":
		return true
	}
	return false
}

// firstKeyword is sql's first word in lower case, past comments.
func firstKeyword(sql string) string {
	s := strings.TrimSpace(sql)
	for {
		switch {
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = strings.TrimSpace(s[i+1:])
			continue
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				return ""
			}
			s = strings.TrimSpace(s[i+2:])
			continue
		case strings.HasPrefix(s, "("):
			return "("
		}
		break
	}
	end := strings.IndexFunc(s, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') })
	if end < 0 {
		end = len(s)
	}
	return strings.ToLower(s[:end])
}

func firstWords(sql string) string {
	f := strings.Fields(sql)
	if len(f) > 4 {
		f = append(f[:4], "…")
	}
	return strings.Join(f, " ")
}

// interact runs the shell on a terminal: line editing, history in
// ~/.lakeq_history, completion from the catalog, Ctrl-C to cancel a
// statement (or clear the line at the prompt), Ctrl-D to leave.
func (s *shell) interact(ctx context.Context) int {
	s.interactive = true
	s.sigint = make(chan os.Signal, 1)
	signal.Notify(s.sigint, os.Interrupt)
	defer signal.Stop(s.sigint)
	ln := liner.NewLiner()
	defer ln.Close()
	ln.SetCtrlCAborts(true)
	ln.SetTabCompletionStyle(liner.TabPrints)
	s.cat = &catalogNames{stale: true}
	ln.SetWordCompleter(func(line string, pos int) (string, []string, string) { return s.complete(ctx, line, pos) })
	histPath := historyFile()
	if f, err := os.Open(histPath); err == nil {
		ln.ReadHistory(f)
		f.Close()
	}
	saveHistory := func() {
		if histPath == "" {
			return
		}
		f, err := os.OpenFile(histPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return
		}
		ln.WriteHistory(f)
		f.Close()
	}
	s.src = func() (string, bool) {
		line, err := ln.Prompt(">> ")
		return line, err == nil
	}
	s.history = func(e string) {
		ln.AppendHistory(e)
		saveHistory() // each entry lands at once: a killed shell keeps it
	}
	if !s.quiet {
		fmt.Fprintf(s.stdout, "lakeq %s — %s\nType \\? for help, \\q to quit; end statements with ';'.\n", version, s.conn.Describe())
	}
	for {
		prompt := s.prompt + "=> "
		switch {
		case s.buf.Len() > 0 && s.open():
			prompt = s.prompt + "'> "
		case s.buf.Len() > 0:
			prompt = s.prompt + "-> "
		}
		line, err := ln.Prompt(prompt)
		if errors.Is(err, liner.ErrPromptAborted) {
			s.buf.Reset() // Ctrl-C at the prompt drops the statement being typed
			continue
		}
		if err != nil { // io.EOF: Ctrl-D
			fmt.Fprintln(s.stdout)
			break
		}
		// a Ctrl-C that arrived between statements is not for the next one
		select {
		case <-s.sigint:
		default:
		}
		if !s.feed(ctx, line) {
			break
		}
	}
	return 0
}

// version is what the shell's banner shows.
const version = "0.1"

// historyFile is where the shell keeps its history: $LAKEQ_HISTORY, else
// ~/.lakeq_history.
func historyFile() string {
	if p := os.Getenv("LAKEQ_HISTORY"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".lakeq_history")
}
