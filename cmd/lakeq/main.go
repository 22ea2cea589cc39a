// Command lakeq is the lakeq CLI: run SQL with -c or -f, or an
// interactive shell, against a data directory.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/internal/gctune"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/sqlerr"
)

var os_stderr io.Writer = os.Stderr

// action is one -c or -f argument, kept in command-line order.
type action struct {
	file bool
	arg  string
}

type actionFlag struct {
	list *[]action
	file bool
}

func (a actionFlag) String() string { return "" }
func (a actionFlag) Set(v string) error {
	*a.list = append(*a.list, action{file: a.file, arg: v})
	return nil
}

func main() {
	gctune.Start(gctune.DefaultPolicy())
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "gen" {
		return gen(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "serve" {
		return serve(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "crawl" {
		return crawl(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("lakeq", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var actions []action
	fs.Var(actionFlag{&actions, false}, "c", "run SQL (may hold several ;-separated statements; repeatable)")
	fs.Var(actionFlag{&actions, true}, "f", "run SQL from a file, - for stdin (repeatable)")
	format := fs.String("format", "table", "output format: table|csv|tsv|json|jsonl|markdown")
	dataDir := fs.String("data-dir", engine.DefaultDataDir(), "data directory (default $LAKEQ_HOME, else ~/.lakeq)")
	s3f := addS3Flags(fs)
	catalogURL := fs.String("catalog", os.Getenv("LAKEQ_CATALOG"), "catalog store: empty for DATA_DIR/catalog.db, or postgres://… to share one among processes")
	retention := fs.Duration("history-retention", engine.DefaultHistoryRetention, "how long sys.query_history keeps queries (negative: keep no history)")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the run to this file")
	debugFlag := fs.Bool("debug", false, "print the stack trace of an internal error to stderr")
	threads := fs.Int("threads", 0, "workers per query (default: all cores)")
	memLimit := fs.String("memory-limit", "", "memory per query before operators spill to DATA_DIR/tmp, e.g. 4GB or 50% (default 80% of RAM; SET memory_limit per session)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "lakeq: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "lakeq: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	switch *format {
	case "table", "csv", "tsv", "json", "jsonl", "markdown":
	default:
		fmt.Fprintf(stderr, "lakeq: unknown format %q\n", *format)
		return 2
	}
	memBytes, ok := memoryLimit(*memLimit)
	if !ok {
		fmt.Fprintf(stderr, "lakeq: --memory-limit %q is not a size such as 4GB or 50%%\n", *memLimit)
		return 2
	}
	gctune.SoftLimit(memBytes)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	eng, err := engine.Open(ctx, engine.Config{DataDir: *dataDir, S3: s3f.config(), ListCacheTTL: *s3f.listTTL, CacheDir: *s3f.cacheDir, CacheSize: *s3f.cacheSize << 20, Warehouse: *s3f.warehouse, Catalog: *catalogURL, HistoryRetention: *retention,
		Workers: *threads, MemLimit: memBytes, Debug: *debugFlag, Stderr: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "lakeq: %v\n", err)
		return 1
	}
	defer eng.Close()
	sess := eng.NewSession()
	// runSQL runs each statement of sql, printing its rows as they stream
	runSQL := func(sql string) bool {
		stmts, err := parser.Parse(sql)
		if err != nil {
			printError(stderr, sql, err)
			return false
		}
		for _, st := range stmts {
			r, err := sess.StreamStmt(ctx, st, nil)
			if err == nil {
				err = writeResult(stdout, r, *format)
				r.Close()
			}
			if err != nil {
				var se *sqlerr.Error
				if errors.As(err, &se) {
					printError(stderr, sql, err)
				} else {
					fmt.Fprintf(stderr, "lakeq: %v\n", err)
				}
				return false
			}
		}
		return true
	}
	if len(actions) > 0 {
		for _, a := range actions {
			if !a.file {
				if !runSQL(a.arg) {
					return 1
				}
				continue
			}
			f := a.arg
			var data []byte
			if f == "-" {
				data, err = io.ReadAll(stdin)
			} else {
				data, err = os.ReadFile(f)
			}
			if err != nil {
				fmt.Fprintf(stderr, "lakeq: %v\n", err)
				return 1
			}
			if !runSQL(string(data)) {
				return 1
			}
		}
		return 0
	}
	return shell(ctx, sess, stdin, stdout, stderr, runSQL)
}

func printError(w io.Writer, sql string, err error) {
	e := sqlerr.From(err)
	fmt.Fprintf(w, "ERROR:  %s\n", e.Message)
	if e.Position > 0 {
		// psql-style caret under the statement's line
		runes := []rune(sql)
		pos := e.Position - 1
		if pos <= len(runes) {
			lineStart := strings.LastIndex(string(runes[:pos]), "\n") + 1
			lineEnd := strings.Index(string(runes[pos:]), "\n")
			line := string(runes[:])[lineStart:]
			if lineEnd >= 0 {
				line = string(runes[lineStart : pos+lineEnd])
			}
			prefix := "LINE 1: "
			fmt.Fprintf(w, "%s%s\n%s^\n", prefix, line, strings.Repeat(" ", len(prefix)+len([]rune(string(runes[lineStart:pos])))))
		}
	}
	if e.Hint != "" {
		fmt.Fprintf(w, "HINT:  %s\n", e.Hint)
	}
}

func shell(ctx context.Context, sess *engine.Session, stdin io.Reader, stdout, stderr io.Writer, runSQL func(string) bool) int {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	var buf strings.Builder
	interactive := isTerminal(stdin)
	prompt := func() {
		if interactive {
			if buf.Len() == 0 {
				fmt.Fprint(stdout, "lakeq=> ")
			} else {
				fmt.Fprint(stdout, "lakeq-> ")
			}
		}
	}
	prompt()
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if buf.Len() == 0 && (trimmed == `\q` || trimmed == "quit" || trimmed == "exit") {
			return 0
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			runSQL(buf.String())
			buf.Reset()
		}
		prompt()
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(stderr, "lakeq: %v\n", err)
		return 1
	}
	if strings.TrimSpace(buf.String()) != "" {
		if !runSQL(buf.String()) {
			return 1
		}
	}
	return 0
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
