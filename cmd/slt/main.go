// Command slt runs sqllogictest scripts against lakeq.
//
//	go run ./cmd/slt [-engine postgresql] [-storage managed|parquet|csv|json] [-workers N] [-rewrite] FILE...
//
// Its last line is "N passed, N failed, N skipped".
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"

	"github.com/lakeq/lakeq/slt"
)

func main() {
	engineName := flag.String("engine", "postgresql", "engine name for skipif/onlyif")
	rewrite := flag.Bool("rewrite", false, "fill in expected results from lakeq's output")
	verbose := flag.Bool("v", false, "print each file's totals")
	parallel := flag.Int("j", runtime.GOMAXPROCS(0), "files run at once")
	maxFail := flag.Int("maxfail", 20, "failures printed per file")
	storage := flag.String("storage", slt.StorageManaged, "where the scripts' tables are read from: managed|parquet|csv|json")
	threads := flag.Int("workers", 0, "workers per query (default: all cores for one file, else 1)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	memLimit := flag.Int64("memory-limit-kb", 0, "the engine's memory_limit in KiB (0: its default); small, every operator that can spill does")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	files := flag.Args()
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: slt [-engine postgresql] [-rewrite] FILE...")
		os.Exit(2)
	}
	results := make([]*slt.Result, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, max(*parallel, 1))
	var wg sync.WaitGroup
	workers := 1
	if len(files) == 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	if *threads > 0 {
		workers = *threads
	}
	for i, f := range files {
		wg.Add(1)
		go func(i int, f string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = slt.RunFile(context.Background(), f, slt.Options{Engine: *engineName, Rewrite: *rewrite, Workers: workers, MaxFailures: *maxFail, Storage: *storage, MemLimit: *memLimit << 10})
		}(i, f)
	}
	wg.Wait()
	var passed, failed, skipped int
	for i, r := range results {
		if errs[i] != nil {
			fmt.Printf("%s: %v\n", files[i], errs[i])
			failed++
			continue
		}
		for _, f := range r.Failures {
			fmt.Println(f)
		}
		if *verbose || r.Failed > 0 {
			fmt.Printf("%s: %d passed, %d failed, %d skipped (%.1fs)\n", r.File, r.Passed, r.Failed, r.Skipped, r.Elapsed.Seconds())
		}
		if *rewrite {
			if err := slt.WriteRewritten(r); err != nil {
				fmt.Printf("%s: rewrite: %v\n", r.File, err)
			}
		}
		passed += r.Passed
		failed += r.Failed
		skipped += r.Skipped
	}
	fmt.Printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}
