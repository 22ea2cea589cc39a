package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"github.com/lakeq/lakeq/internal/gctune"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/server"
)

// serve is `lakeq serve`: the PostgreSQL wire-protocol server.
func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lakeq serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:5439", "address to listen on (5439 is Redshift's port)")
	dataDir := fs.String("data-dir", engine.DefaultDataDir(), "data directory")
	s3f := addS3Flags(fs)
	catalogURL := fs.String("catalog", os.Getenv("LAKEQ_CATALOG"), "catalog store URL (default DATA_DIR/catalog.db)")
	auth := fs.String("auth", "", "trust|password|md5|scram-sha-256 (default trust on loopback, else scram-sha-256)")
	certFile := fs.String("tls-cert", "", "TLS certificate (PEM)")
	keyFile := fs.String("tls-key", "", "TLS private key (PEM)")
	selfSigned := fs.Bool("tls-self-signed", false, "serve TLS with a throwaway self-signed certificate (development)")
	requireTLS := fs.Bool("require-tls", false, "refuse connections that do not use TLS")
	maxConns := fs.Int("max-connections", 100, "maximum concurrent sessions")
	idle := fs.Duration("idle-timeout", 0, "close sessions idle this long outside a transaction (0 = never)")
	debugFlag := fs.Bool("debug", false, "also print the stack trace of an internal error to stderr (it always goes to the log)")
	threads := fs.Int("threads", 0, "workers per query (default: all cores)")
	memLimit := fs.String("memory-limit", "", "memory per query before operators spill to DATA_DIR/tmp, e.g. 4GB or 50% (default 80% of RAM; SET memory_limit per session)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	logger := log.New(stderr, "lakeq: ", log.LstdFlags)
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		fmt.Fprintf(stderr, "lakeq serve: --listen: %v\n", err)
		return 2
	}
	if *auth == "" {
		*auth = "scram-sha-256"
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			*auth = "trust"
		}
	}
	switch *auth {
	case "trust", "password", "md5", "scram-sha-256":
	default:
		fmt.Fprintf(stderr, "lakeq serve: unknown --auth %q\n", *auth)
		return 2
	}
	var tlsCfg *tls.Config
	switch {
	case *certFile != "" || *keyFile != "":
		if tlsCfg, err = server.LoadTLS(*certFile, *keyFile); err != nil {
			fmt.Fprintf(stderr, "lakeq serve: %v\n", err)
			return 1
		}
	case *selfSigned:
		if tlsCfg, err = server.SelfSignedTLS(); err != nil {
			fmt.Fprintf(stderr, "lakeq serve: %v\n", err)
			return 1
		}
	}
	if *requireTLS && tlsCfg == nil {
		fmt.Fprintln(stderr, "lakeq serve: --require-tls needs --tls-cert/--tls-key or --tls-self-signed")
		return 2
	}
	memBytes, ok := memoryLimit(*memLimit)
	if !ok {
		fmt.Fprintf(stderr, "lakeq serve: --memory-limit %q is not a size such as 4GB or 50%%\n", *memLimit)
		return 2
	}
	gctune.SoftLimit(memBytes)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	eng, err := engine.Open(ctx, engine.Config{DataDir: *dataDir, S3: s3f.config(), ListCacheTTL: *s3f.listTTL, CacheDir: *s3f.cacheDir, CacheSize: *s3f.cacheSize << 20, Warehouse: *s3f.warehouse, Catalog: *catalogURL, Workers: *threads,
		MemLimit: memBytes, Log: logger, Debug: *debugFlag, Stderr: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "lakeq serve: %v\n", err)
		return 1
	}
	defer eng.Close()
	// LAKEQ_PASSWORD sets the superuser's password (kept as a SCRAM verifier).
	if pw := os.Getenv("LAKEQ_PASSWORD"); pw != "" {
		if err := setPassword(ctx, eng.Catalog(), "lakeq", pw); err != nil {
			fmt.Fprintf(stderr, "lakeq serve: %v\n", err)
			return 1
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "lakeq serve: %v\n", err)
		return 1
	}
	srv := server.New(eng, server.Config{Auth: *auth, TLS: tlsCfg, RequireTLS: *requireTLS, MaxConnections: *maxConns,
		IdleTimeout: *idle, Logger: logger})
	logger.Printf("listening on %s (auth %s, tls %v); psql -h %s -p %s -U lakeq -d lakeq", ln.Addr(), *auth, tlsCfg != nil, host, portOf(ln.Addr()))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		logger.Printf("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		go func() { <-sctx.Done() }()
		srv.Close()
		return 0
	case err := <-done:
		if err != nil {
			fmt.Fprintf(stderr, "lakeq serve: %v\n", err)
			return 1
		}
		return 0
	}
}

func portOf(a net.Addr) string {
	_, p, _ := net.SplitHostPort(a.String())
	return p
}

func setPassword(ctx context.Context, store catalog.Store, user, pw string) error {
	u, err := store.GetUser(ctx, user)
	if err != nil || u == nil {
		return fmt.Errorf("user %s: %v", user, err)
	}
	v, err := catalog.NewVerifier(user, pw)
	if err != nil {
		return err
	}
	u.Verifier = v
	return store.UpdateUser(ctx, *u)
}
