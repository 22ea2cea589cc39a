// Command lakeq is the lakeq CLI: an interactive shell, or SQL from -c,
// -f and stdin, on a data directory or, remotely, on a lakeq (or any
// PostgreSQL) server; and the serve, gen, crawl and demo commands.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/internal/gctune"
	"github.com/lakeq/lakeq/sqlerr"
)

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

// Exit statuses, as psql's: 0 success, 1 an SQL error (or a file or
// connection that failed), 2 bad usage.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "gen":
			return gen(args[1:], stdout, stderr)
		case "serve":
			return serve(args[1:], stdout, stderr)
		case "crawl":
			return crawl(args[1:], stdout, stderr)
		case "demo":
			return demo(args[1:], stdin, stdout, stderr)
		}
	}
	// a postgres:// URL first connects to a server, as psql's
	var url string
	if len(args) > 0 && (strings.HasPrefix(args[0], "postgres://") || strings.HasPrefix(args[0], "postgresql://")) {
		url, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("lakeq", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: lakeq [postgres://URL] [flags]    (shell, or -c/-f)\n       lakeq demo | serve | gen | crawl [flags]\n\n")
		fs.PrintDefaults()
	}
	var actions []action
	fs.Var(actionFlag{&actions, false}, "c", "run SQL or a backslash command (may hold several ;-separated statements; repeatable)")
	fs.Var(actionFlag{&actions, true}, "f", "run SQL from a file, - for stdin (repeatable)")
	format := fs.String("format", "table", "output format: table|csv|tsv|json|jsonl|markdown")
	output := fs.String("o", "", "write results to this file")
	quiet := fs.Bool("quiet", false, "no progress line, footers or messages; only results and errors")
	fs.BoolVar(quiet, "q", false, "short for --quiet")
	onError := fs.String("on-error", "stop", "in a script, stop at the first failing statement or continue (the exit status is 1 either way)")
	dryRun := fs.Bool("dry-run", false, "print the bytes each query would scan and its cost, without running it")
	price := fs.String("price-per-tb", "", "price of a terabyte scanned for the cost footer and EXPLAIN (COST) (default $5, Athena's; SET scan_price_per_tb)")
	expanded := fs.String("x", "off", "expanded output: on, off or auto (one line per column)")
	// remote mode
	host := fs.String("host", "", "connect to the lakeq or PostgreSQL server on this host ($PGHOST)")
	port := fs.String("port", "", "server port ($PGPORT, default 5432)")
	user := fs.String("user", "", "user name on the server ($PGUSER)")
	dbname := fs.String("dbname", "", "database on the server ($PGDATABASE)")
	askPassword := fs.Bool("W", false, "ask for the server's password before connecting")
	// embedded engine
	dataDir := fs.String("data-dir", engine.DefaultDataDir(), "data directory (default $LAKEQ_HOME, else ~/.lakeq)")
	s3f := addS3Flags(fs)
	catalogURL := fs.String("catalog", os.Getenv("LAKEQ_CATALOG"), "catalog store: empty for DATA_DIR/catalog.db, or postgres://… to share one among processes")
	retention := fs.Duration("history-retention", engine.DefaultHistoryRetention, "how long sys.query_history keeps queries (negative: keep no history)")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the run to this file")
	debugFlag := fs.Bool("debug", false, "print the stack trace of an internal error to stderr")
	threads := fs.Int("threads", 0, "workers per query (default: all cores)")
	memLimit := fs.String("memory-limit", "", "memory per query before operators spill to DATA_DIR/tmp, e.g. 4GB or 50% (default 80% of RAM; SET memory_limit per session)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		if u := fs.Arg(0); url == "" && fs.NArg() == 1 && (strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")) {
			url = u
		} else {
			fmt.Fprintf(stderr, "lakeq: unexpected argument %q (SQL goes in -c, files in -f)\n", fs.Arg(0))
			return exitUsage
		}
	}
	if !formats[*format] {
		fmt.Fprintf(stderr, "lakeq: unknown format %q (table, csv, tsv, json, jsonl, markdown)\n", *format)
		return exitUsage
	}
	if *onError != "stop" && *onError != "continue" {
		fmt.Fprintf(stderr, "lakeq: --on-error %q is not stop or continue\n", *onError)
		return exitUsage
	}
	switch *expanded {
	case "on", "off", "auto":
	default:
		fmt.Fprintf(stderr, "lakeq: -x %q is not on, off or auto\n", *expanded)
		return exitUsage
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "lakeq: %v\n", err)
			return exitError
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "lakeq: %v\n", err)
			return exitError
		}
		defer pprof.StopCPUProfile()
	}
	interactive := len(actions) == 0 && isTerminal(stdin)
	// a script is canceled whole by Ctrl-C; the interactive shell cancels
	// only the running statement
	ctx := context.Background()
	if !interactive {
		var stop func()
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
	}
	remote := url != "" || *host != "" || *port != "" || *user != "" || *dbname != ""
	sh := &shell{stdin: stdin, stdout: stdout, stderr: stderr, out: stdout, quiet: *quiet, dryRun: *dryRun,
		stopOnError: *onError == "stop", progressOK: isTerminal(stderr), stdoutTerm: isTerminal(stdout),
		pr: printer{format: *format, expanded: *expanded, null: "NULL"}}
	if remote {
		c, code := dialRemote(ctx, url, *host, *port, *user, *dbname, *askPassword, interactive, stdin, stderr)
		if c == nil {
			return code
		}
		defer c.Close()
		if *price != "" {
			p, err := strconv.ParseFloat(strings.TrimPrefix(*price, "$"), 64)
			if err != nil || p < 0 {
				fmt.Fprintf(stderr, "lakeq: --price-per-tb %q is not a price such as 5 (scan_price_per_tb)\n", *price)
				return exitUsage
			}
			if err := c.SetPrice(ctx, p); err != nil {
				printError(stderr, "", err)
				return exitError
			}
		}
		sh.conn, sh.prompt = c, c.db
	} else {
		memBytes, ok := memoryLimit(*memLimit)
		if !ok {
			fmt.Fprintf(stderr, "lakeq: --memory-limit %q is not a size such as 4GB or 50%%\n", *memLimit)
			return exitUsage
		}
		gctune.SoftLimit(memBytes)
		eng, err := engine.Open(ctx, engine.Config{DataDir: *dataDir, S3: s3f.config(), ListCacheTTL: *s3f.listTTL, CacheDir: *s3f.cacheDir, CacheSize: *s3f.cacheSize << 20, Warehouse: *s3f.warehouse, Catalog: *catalogURL, HistoryRetention: *retention,
			Workers: *threads, MemLimit: memBytes, Debug: *debugFlag, Stderr: stderr})
		if err != nil {
			fmt.Fprintf(stderr, "lakeq: %v\n", err)
			return exitError
		}
		defer eng.Close()
		sess := eng.NewSession()
		sess.ListAhead = sh.progressOK && !*quiet
		if *price != "" {
			if _, err := sess.Exec(ctx, "SET scan_price_per_tb = "+quoteLit(*price)); err != nil {
				printError(stderr, "", err)
				return exitUsage
			}
		}
		sh.conn, sh.prompt = &localConn{sess: sess, desc: fmt.Sprintf("the embedded engine on data directory %q", *dataDir)}, "lakeq"
	}
	if *output != "" && !sh.setOutput(*output) {
		return exitError
	}
	defer sh.setOutput("")
	if len(actions) == 0 {
		if interactive {
			return sh.interact(ctx)
		}
		// statements from a pipe or a file on stdin
		data, err := io.ReadAll(stdin)
		if err != nil {
			fmt.Fprintf(stderr, "lakeq: %v\n", err)
			return exitError
		}
		sh.runText(ctx, string(data))
		return status(sh)
	}
	for _, a := range actions {
		text := a.arg
		if a.file {
			var data []byte
			var err error
			if a.arg == "-" {
				data, err = io.ReadAll(stdin)
			} else {
				data, err = os.ReadFile(a.arg)
			}
			if err != nil {
				fmt.Fprintf(stderr, "lakeq: %s: %v\n", a.arg, pathErr(err))
				return exitError
			}
			text = string(data)
		}
		if !sh.runText(ctx, text) || sh.quit {
			break
		}
	}
	return status(sh)
}

func status(sh *shell) int {
	if sh.failed {
		return exitError
	}
	return exitOK
}

// dialRemote connects to a server as psql would; nil and an exit status
// when it cannot.
func dialRemote(ctx context.Context, url, host, port, user, dbname string, askFirst, interactive bool, stdin io.Reader, stderr io.Writer) (*remoteConn, int) {
	dsn := url
	if dsn == "" {
		var kv []string
		for _, p := range [][2]string{{"host", host}, {"port", port}, {"user", user}, {"dbname", dbname}} {
			if p[1] != "" {
				kv = append(kv, p[0]+"="+quoteDSN(p[1]))
			}
		}
		dsn = strings.Join(kv, " ")
	}
	var ask func() (string, error)
	if f, ok := stdin.(*os.File); ok && isTerminal(stdin) {
		ask = func() (string, error) {
			fmt.Fprint(stderr, "Password: ")
			pw, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			return string(pw), err
		}
	}
	if askFirst {
		if ask == nil {
			fmt.Fprintln(stderr, "lakeq: -W needs a terminal to ask for the password (or set PGPASSWORD)")
			return nil, exitUsage
		}
		pw, err := ask()
		if err != nil {
			fmt.Fprintf(stderr, "lakeq: %v\n", err)
			return nil, exitError
		}
		dsn += " password=" + quoteDSN(pw)
		if url != "" {
			dsn = url // a URL carries its own password; -W then is libpq's PGPASSWORD
			os.Setenv("PGPASSWORD", pw)
		}
	}
	c, err := connectRemote(ctx, dsn, ask, func(n string) { fmt.Fprintln(stderr, n) })
	if err != nil {
		fmt.Fprintf(stderr, "lakeq: connection to server failed: %s\n", uniqueLines(err.Error()))
		return nil, exitError
	}
	return c, exitOK
}

// uniqueLines drops repeated lines: a connection tried with and without
// TLS (sslmode=prefer) fails twice with the same words.
func uniqueLines(s string) string {
	seen := map[string]bool{}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// quoteDSN quotes a value for a key=value connection string.
func quoteDSN(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

func printError(w io.Writer, sql string, err error) {
	e := sqlerr.From(err)
	fmt.Fprintf(w, "ERROR:  %s\n", e.Message)
	if e.Position > 0 && sql != "" {
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
			prefix := fmt.Sprintf("LINE %d: ", strings.Count(string(runes[:pos]), "\n")+1)
			fmt.Fprintf(w, "%s%s\n%s^\n", prefix, line, strings.Repeat(" ", len(prefix)+len([]rune(string(runes[lineStart:pos])))))
		}
	}
	if e.Detail != "" {
		fmt.Fprintf(w, "DETAIL:  %s\n", e.Detail)
	}
	if e.Hint != "" {
		fmt.Fprintf(w, "HINT:  %s\n", e.Hint)
	}
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
