package exec

import (
	"hash/maphash"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// A hash join whose build side passes the memory limit becomes a grace
// hash join (DESIGN.md, Memory): its build rows — those held and those
// still coming — go to joinParts partition files by the hash of their
// key, the probe rows follow into partitions of their own, and once the
// probe input ends (FinalEmit) each partition's build rows are hashed in
// memory and its probe rows joined against them, one partition at a
// time. A probe row meets every build row of its key in its partition,
// so every keyed join gives what it gives in memory: the build rows a
// partition's probe rows left unmatched (full, right outer and right
// anti joins) or matched (right semi) come out after that partition, and
// what mark and NOT IN joins ask of the whole build side — whether it has
// a row, and whether it has a NULL key — is counted as its rows are
// partitioned.
const joinParts = 32

// joinSpill holds a spilled join's partition files. The writers are
// shared by the workers (under mu); spilling is bound by the disk.
type joinSpill struct {
	mu        sync.Mutex
	seed      maphash.Seed
	build     [joinParts]partBuffer
	probe     [joinParts]partBuffer
	buildRuns [joinParts]*SpillRun
	probeRuns [joinParts]*SpillRun
	// the whole build side's answers to mark and NOT IN joins
	buildRows int64
	buildNull bool
}

func (b *JoinBuild) canSpill(ctx *Ctx) bool {
	return b.Spillable && ctx.Spill != nil && len(b.Keys) > 0
}

// consumeSpillable keeps a build batch in memory while the limit allows,
// and otherwise starts (or goes on) spilling.
func (b *JoinBuild) consumeSpillable(ctx *Ctx, l *collectLocal, in arrow.Record) error {
	if !b.spilling.Load() {
		if ctx.TryGrow(b.Label, RecordSize(in)) {
			l.recs = append(l.recs, in)
			l.rows += in.NumRows()
			return nil
		}
		b.startSpill()
	}
	if err := b.spillHeld(ctx, l); err != nil {
		return err
	}
	return b.spillRows(ctx, in, b.Keys, b.KeyT, &b.spill.build)
}

func (b *JoinBuild) startSpill() {
	b.spillOnce.Do(func() {
		b.spill = &joinSpill{seed: maphash.MakeSeed()}
		b.spilling.Store(true)
	})
}

// spillHeld writes the build rows a worker holds to the partitions.
func (b *JoinBuild) spillHeld(ctx *Ctx, l *collectLocal) error {
	for _, r := range l.recs {
		if err := b.spillRows(ctx, r, b.Keys, b.KeyT, &b.spill.build); err != nil {
			return err
		}
		ctx.Shrink(b.Label, RecordSize(r))
	}
	l.recs, l.rows = nil, 0
	return nil
}

// spillRows writes a batch's rows to the partitions of their keys.
func (b *JoinBuild) spillRows(ctx *Ctx, in arrow.Record, keys []expr.Expr, keyT []types.T, ws *[joinParts]partBuffer) error {
	n := int(in.NumRows())
	if n == 0 {
		return nil
	}
	cols := make([]arrow.Array, len(keys))
	for i, k := range keys {
		c, err := k.Eval(ctx.Expr, in)
		if err != nil {
			return err
		}
		cols[i] = c
	}
	var byPart [joinParts][]int32
	var buf []byte
	null := false
	for i := 0; i < n; i++ {
		// the key's text: the same for both sides' types (int4 and int8)
		buf = buf[:0]
		for k, c := range cols {
			if v := types.GetValue(keyT[k], c, i); v == nil {
				buf = append(buf, 0, 'N')
				null = true
			} else {
				buf = append(append(buf, 0, 'V'), keyText(keyT[k], v)...)
			}
		}
		p := maphash.Bytes(b.spill.seed, buf) % joinParts
		byPart[p] = append(byPart[p], int32(i))
	}
	st := b.spill
	st.mu.Lock()
	defer st.mu.Unlock()
	if ws == &st.build {
		st.buildRows += int64(n)
		st.buildNull = st.buildNull || null
	}
	return eachPart(in, byPart[:], func(p int, part arrow.Record) error {
		return ws[p].add(ctx, b.Label, part)
	})
}

// finishWriters ends the runs of one side.
func (b *JoinBuild) finishWriters(ctx *Ctx, ws *[joinParts]partBuffer, runs *[joinParts]*SpillRun) error {
	for p := range ws {
		run, err := ws[p].finish()
		if err != nil {
			return err
		}
		if run != nil {
			ctx.Spilled(b.Label, run.Bytes)
			runs[p] = run
		}
	}
	return nil
}

// finishBuildSpill moves the build rows still in memory to their
// partitions and closes the build side's files.
func (b *JoinBuild) finishBuildSpill(ctx *Ctx) error {
	held := &collectLocal{recs: b.Collect.Records()}
	b.Collect.Reset()
	if err := b.spillHeld(ctx, held); err != nil {
		return err
	}
	b.built = true
	return b.finishWriters(ctx, &b.spill.build, &b.spill.buildRuns)
}

// spillProbe writes a probe batch to its rows' partitions.
func (j *JoinProbe) spillProbe(ctx *Ctx, in arrow.Record) error {
	b := j.Build
	return b.spillRows(ctx, in, j.Keys, j.KeyT, &b.spill.probe)
}

// readRun reads a run whole (nil for none).
func readRun(run *SpillRun) ([]arrow.Record, error) {
	if run == nil {
		return nil, nil
	}
	r, err := run.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return Drain(r.Next)
}

// FinalParts implements PartedFinisher: a spilled join's partitions,
// once the probe side's files are closed.
func (j *JoinProbe) FinalParts(ctx *Ctx) (int, error) {
	b := j.Build
	if !b.spilling.Load() {
		return 0, nil
	}
	if err := b.finishWriters(ctx, &b.spill.probe, &b.spill.probeRuns); err != nil {
		return 0, err
	}
	return joinParts, nil
}

// FinalEmitPart implements PartedFinisher: partition p's probe rows
// joined against its build rows, hashed in memory.
func (j *JoinProbe) FinalEmitPart(ctx *Ctx, p int, emit Emit) error {
	b := j.Build
	st := b.spill
	probeRun, buildRun := st.probeRuns[p], st.buildRuns[p]
	if buildRun != nil {
		defer buildRun.Remove()
	}
	if probeRun != nil {
		defer probeRun.Remove()
	}
	// a partition without probe rows still has build rows to emit when
	// the join keeps its build side's unmatched rows
	keepsBuild := j.Kind == FullJoin || j.Kind == RightOuterJoin || j.Kind == RightAntiJoin
	if probeRun == nil && (buildRun == nil || !keepsBuild) {
		return nil
	}
	recs, err := readRun(buildRun)
	if err != nil {
		return err
	}
	rec, err := concatRecords(recs)
	if err != nil {
		return err
	}
	var held int64
	if rec != nil {
		held = RecordSize(rec)
	}
	ctx.Mem.Force(held)
	defer func() { ctx.Mem.Shrink(held) }()
	part := &JoinBuild{Label: b.Label, Keys: b.Keys, KeyT: b.KeyT, whole: &wholeBuild{rows: st.buildRows, null: st.buildNull}}
	if err := part.index(ctx, rec, func(n int64) error { held += n; ctx.Mem.Force(n); return nil }); err != nil {
		return err
	}
	jp := *j
	jp.Build = part
	if probeRun != nil {
		if err := jp.probeRun(ctx, probeRun, emit); err != nil {
			return err
		}
	}
	return jp.FinalEmit(ctx, emit)
}

// probeRun joins a partition's probe rows.
func (j *JoinProbe) probeRun(ctx *Ctx, run *SpillRun, emit Emit) error {
	r, err := run.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		batch, err := r.Next()
		if err != nil || batch == nil {
			return err
		}
		if err := j.Execute(ctx, nil, batch, emit); err != nil {
			return err
		}
	}
}

// wholeBuild is what a partition of a spilled build side knows of the
// whole of it.
type wholeBuild struct {
	rows int64
	null bool
}

// allRows is the number of build rows: of the whole build side when this
// is one partition of it.
func (b *JoinBuild) allRows() int64 {
	if b.whole != nil {
		return b.whole.rows
	}
	if b.rec == nil {
		return 0
	}
	return b.rec.NumRows()
}

// allNull reports whether a build key is NULL: in the whole build side
// when this is one partition of it.
func (b *JoinBuild) allNull() bool {
	if b.whole != nil {
		return b.whole.null
	}
	return b.anyNull
}

// joinPartitions is FinalEmit of a spilled join run on one worker.
func (j *JoinProbe) joinPartitions(ctx *Ctx, emit Emit) error {
	parts, err := j.FinalParts(ctx)
	if err != nil {
		return err
	}
	for p := 0; p < parts; p++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := j.FinalEmitPart(ctx, p, emit); err != nil {
			return err
		}
	}
	return nil
}

// keyText is a join key's value as text that equal values share across
// the two sides' types: 1.5 and 1.50, -0 and 0, an int4 and an int8.
func keyText(t types.T, v types.Value) string {
	s := types.FormatText(t, v)
	switch t.Kind {
	case types.Numeric, types.Float4, types.Float8:
		if strings.Contains(s, ".") && !strings.ContainsAny(s, "eE") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		if s == "-0" {
			s = "0"
		}
	}
	return s
}
