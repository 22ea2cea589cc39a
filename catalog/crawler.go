package catalog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/csv"
	jsonl "github.com/lakeq/lakeq/storage/json"
	"github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/types"
)

// CrawlOptions configure a crawl, as a Glue crawler's settings.
type CrawlOptions struct {
	Location string
	Database string
	Table    string // name of the (single) table; "" = from the folder names
	// UpdateBehavior on a changed schema: "update" (merge new columns,
	// take changed types) or "log" (report only).
	UpdateBehavior string
	// DeleteBehavior for partitions and tables whose folders are gone:
	// "deprecate" (mark the table, keep partitions), "log" or "delete".
	DeleteBehavior string
	Owner          string
	// FS picks the storage of Location and of the partitions (nil: local
	// disk only)
	FS *storage.Registry
}

// CrawlEvent is one line of a crawl's report.
type CrawlEvent struct {
	Action string // CREATED, UPDATED, PARTITIONS ADDED, PARTITIONS DELETED, SKIPPED, LOGGED, DEPRECATED, UNCHANGED
	Object string
	Detail string
}

// classified is one sampled file's format and schema.
type classified struct {
	class       string // parquet, csv, tsv, json, UNKNOWN
	compression storage.Compression
	delim       byte
	quoted      bool
	header      bool
	columns     []storage.Column
}

// Classify reads the start of a file and decides its format: Parquet by
// its magic bytes; else, after decompressing by extension, JSON Lines
// when the first record is a JSON object, else delimited text when a
// delimiter splits every sampled line into the same number (≥ 2) of
// fields. The first classifier that is certain wins; otherwise UNKNOWN.
func Classify(ctx context.Context, fs storage.FileSystem, f storage.FileInfo) (classified, error) {
	c := classified{class: "UNKNOWN", compression: storage.CompressionOf(f.Path)}
	file, err := fs.Open(ctx, f.Path)
	if err != nil {
		return c, err
	}
	head := make([]byte, 4)
	n, _ := file.ReadAt(head, 0)
	tail := make([]byte, 4)
	var m int
	if f.Size >= 8 {
		m, _ = file.ReadAt(tail, f.Size-4)
	}
	file.Close()
	if n == 4 && m == 4 && string(head) == "PAR1" && string(tail) == "PAR1" {
		ds, err := parquet.Open(ctx, fs, []storage.FileInfo{f})
		if err != nil {
			return c, nil // looks like Parquet but is not readable: UNKNOWN
		}
		c.class, c.columns, c.compression = "parquet", ds.Columns, storage.NoCompression
		return c, nil
	}
	sample, err := textSample(ctx, fs, f, 64<<10)
	if err != nil {
		return c, nil
	}
	first := bytes.TrimSpace(firstLine(sample))
	if len(first) > 0 && first[0] == '{' {
		ds, err := jsonl.Open(ctx, fs, []storage.FileInfo{f}, jsonl.Options{IgnoreErrors: true})
		if err == nil && len(ds.Columns) > 0 {
			c.class, c.columns = "json", ds.Columns
		}
		return c, nil
	}
	ds, err := csv.Open(ctx, fs, []storage.FileInfo{f}, csv.Options{})
	if err != nil || len(ds.Columns) < 2 || !consistentFields(sample, ds.Opt.Delim) {
		return c, nil
	}
	c.class, c.delim, c.header, c.columns = "csv", ds.Opt.Delim, ds.Opt.Header, ds.Columns
	if c.delim == '\t' {
		c.class = "tsv"
	}
	c.quoted = bytes.IndexByte(sample, '"') >= 0
	return c, nil
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

// consistentFields is Glue's CSV certainty rule, simplified: every
// complete sampled line has the same number of delimiters (quotes aside).
func consistentFields(sample []byte, delim byte) bool {
	lines := bytes.Split(sample, []byte("\n"))
	if len(lines) > 1 {
		lines = lines[:len(lines)-1] // the last one may be cut
	}
	want := -1
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) == 0 || bytes.IndexByte(l, '"') >= 0 {
			continue
		}
		n := bytes.Count(l, []byte{delim})
		if want < 0 {
			want = n
		} else if n != want {
			return false
		}
	}
	return want != 0
}

// textSample reads up to n decompressed bytes from the start of a file.
func textSample(ctx context.Context, fs storage.FileSystem, f storage.FileInfo, n int) ([]byte, error) {
	file, err := fs.Open(ctx, f.Path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	r, err := storage.Decompress(storage.CompressionOf(f.Path), io.NewSectionReader(file, 0, f.Size), f.Path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(r, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	return buf[:k], nil
}

// leaf is a folder holding data files, relative to the crawl root.
type leaf struct {
	rel   []string // folder names from the table root
	dir   string
	files []storage.FileInfo
}

// Crawl walks a location and creates or updates tables in the catalog.
func Crawl(ctx context.Context, store Store, opt CrawlOptions) ([]CrawlEvent, error) {
	if opt.UpdateBehavior == "" {
		opt.UpdateBehavior = "update"
	}
	if opt.DeleteBehavior == "" {
		opt.DeleteBehavior = "deprecate"
	}
	if opt.UpdateBehavior != "update" && opt.UpdateBehavior != "log" {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "update behavior \"%s\" is not update or log", opt.UpdateBehavior)
	}
	if opt.DeleteBehavior != "deprecate" && opt.DeleteBehavior != "log" && opt.DeleteBehavior != "delete" {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "delete behavior \"%s\" is not deprecate, log or delete", opt.DeleteBehavior)
	}
	reg := opt.FS
	if reg == nil {
		reg = storage.DefaultRegistry()
	}
	fs, root, err := reg.For(opt.Location)
	if err != nil {
		return nil, err
	}
	root = strings.TrimRight(root, "/")
	if ok, err := storage.Exists(ctx, fs, root); err != nil {
		return nil, err
	} else if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedFile, "location \"%s\" does not exist", opt.Location)
	}
	if d, err := store.GetDatabase(ctx, opt.Database); err != nil {
		return nil, err
	} else if d == nil {
		return nil, sqlerr.New(sqlerr.InvalidSchemaName, "schema \"%s\" does not exist", opt.Database)
	}
	c := &crawler{ctx: ctx, store: store, opt: opt, fs: fs, samples: map[string]classified{}}
	// One table at the root when everything below is alike (or a name
	// was given); otherwise one table per top-level folder.
	leaves, err := c.leaves(root)
	if err != nil {
		return nil, err
	}
	if len(leaves) == 0 {
		return []CrawlEvent{{Action: "SKIPPED", Object: root, Detail: "no data files"}}, nil
	}
	if opt.Table != "" || c.compatible(root, leaves) {
		name := opt.Table
		if name == "" {
			name = tableName(storage.Base(root))
		}
		err = c.table(name, root, leaves)
	} else {
		groups := map[string][]leaf{}
		var order []string
		for _, l := range leaves {
			top := ""
			if len(l.rel) > 0 {
				top = l.rel[0]
			}
			if _, ok := groups[top]; !ok {
				order = append(order, top)
			}
			groups[top] = append(groups[top], l)
		}
		for _, top := range order {
			if top == "" {
				c.events = append(c.events, CrawlEvent{Action: "SKIPPED", Object: root, Detail: "files directly under a location whose folders hold different schemas"})
				continue
			}
			var sub []leaf
			for _, l := range groups[top] {
				l.rel = l.rel[1:]
				sub = append(sub, l)
			}
			if err = c.table(tableName(top), root+"/"+top, sub); err != nil {
				break
			}
		}
	}
	return c.events, err
}

type crawler struct {
	ctx     context.Context
	store   Store
	opt     CrawlOptions
	fs      storage.FileSystem
	samples map[string]classified // dir → its first file's classification
	events  []CrawlEvent
}

// leaves lists the folders under root that hold data files.
func (c *crawler) leaves(root string) ([]leaf, error) {
	files, err := storage.Glob(c.ctx, c.fs, root)
	if err != nil {
		return nil, err
	}
	byDir := map[string]*leaf{}
	var out []*leaf
	for _, f := range files {
		dir := storage.Dir(f.Path)
		l, ok := byDir[dir]
		if !ok {
			rel, _ := storage.Rel(root, dir)
			var parts []string
			if rel != "." {
				parts = strings.Split(rel, "/")
			}
			l = &leaf{rel: parts, dir: dir}
			byDir[dir] = l
			out = append(out, l)
		}
		l.files = append(l.files, f)
	}
	res := make([]leaf, len(out))
	for i, l := range out {
		res[i] = *l
	}
	sort.Slice(res, func(i, j int) bool { return res[i].dir < res[j].dir })
	return res, nil
}

// sample classifies a leaf by its first readable file.
func (c *crawler) sample(l leaf) classified {
	if s, ok := c.samples[l.dir]; ok {
		return s
	}
	s := classified{class: "UNKNOWN"}
	for _, f := range l.files {
		got, err := Classify(c.ctx, c.fs, f)
		if err == nil && got.class != "UNKNOWN" {
			s = got
			break
		}
	}
	c.samples[l.dir] = s
	return s
}

// compatible reports whether all leaves share one format, one folder
// depth and similar columns (Glue's rule of thumb: most column names in common).
func (c *crawler) compatible(root string, leaves []leaf) bool {
	var first *classified
	depth := -1
	for _, l := range leaves {
		s := c.sample(l)
		if s.class == "UNKNOWN" {
			continue
		}
		if depth >= 0 && len(l.rel) != depth {
			return false
		}
		depth = len(l.rel)
		if first == nil {
			first = &s
			continue
		}
		if s.class != first.class || !similar(first.columns, s.columns) {
			return false
		}
	}
	return true
}

func similar(a, b []storage.Column) bool {
	names := map[string]bool{}
	for _, c := range a {
		names[strings.ToLower(c.Name)] = true
	}
	common := 0
	for _, c := range b {
		if names[strings.ToLower(c.Name)] {
			common++
		}
	}
	small := min(len(a), len(b))
	return small > 0 && common*10 >= small*7
}

// tableName makes a folder name a SQL-friendly table name.
func tableName(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "table"
	}
	return b.String()
}

// table creates or updates one table from its leaves.
func (c *crawler) table(name, root string, leaves []leaf) error {
	existing, err := c.store.GetTable(c.ctx, c.opt.Database, name)
	if err != nil {
		return err
	}
	var known map[string]bool // registered partition folders, not read again
	if existing != nil {
		ps, err := c.store.ListPartitions(c.ctx, c.opt.Database, name)
		if err != nil {
			return err
		}
		known = map[string]bool{}
		for _, p := range ps {
			known[strings.TrimRight(p.Location, "/")] = true
		}
	}
	depth := -1
	var fresh []leaf
	var skipped int
	for _, l := range leaves {
		if depth < 0 {
			depth = len(l.rel)
		}
		if len(l.rel) != depth {
			c.events = append(c.events, CrawlEvent{Action: "SKIPPED", Object: l.dir, Detail: fmt.Sprintf("folder depth %d differs from the table's %d", len(l.rel), depth)})
			continue
		}
		if known[l.dir] {
			continue
		}
		if s := c.sample(l); s.class == "UNKNOWN" {
			skipped++
			c.events = append(c.events, CrawlEvent{Action: "SKIPPED", Object: l.dir, Detail: "UNKNOWN classification"})
			continue
		}
		fresh = append(fresh, l)
	}
	// Partition keys: k=v folder names give k, others partition_<i>.
	keys := make([]string, depth)
	for i := range keys {
		named := ""
		for _, l := range leaves {
			if len(l.rel) != depth {
				continue
			}
			k, _, ok := strings.Cut(l.rel[i], "=")
			if !ok || (named != "" && k != named) {
				named = ""
				break
			}
			named = k
		}
		if named != "" {
			keys[i] = strings.ToLower(named)
		} else {
			keys[i] = fmt.Sprintf("partition_%d", i)
		}
	}
	if existing != nil && len(existing.PartitionKeys) != depth {
		c.events = append(c.events, CrawlEvent{Action: "LOGGED", Object: c.opt.Database + "." + name, Detail: fmt.Sprintf("the folders now have %d partition levels, the table %d; left as it is", depth, len(existing.PartitionKeys))})
		return nil
	}
	// Merge the schemas of the freshly read folders.
	isKey := map[string]bool{}
	for _, k := range keys {
		isKey[k] = true
	}
	var cols []storage.Column
	var proto *classified
	for _, l := range fresh {
		s := c.sample(l)
		if proto == nil {
			p := s
			proto = &p
		}
		if s.class != proto.class {
			c.events = append(c.events, CrawlEvent{Action: "SKIPPED", Object: l.dir, Detail: fmt.Sprintf("%s files among %s files", s.class, proto.class)})
			continue
		}
		var data []storage.Column
		for _, col := range s.columns {
			if !isKey[strings.ToLower(col.Name)] { // a key repeated inside the files
				data = append(data, col)
			}
		}
		cols = mergeColumns(cols, data)
	}
	full := c.opt.Database + "." + name
	var parts []Partition
	for _, l := range fresh {
		if depth == 0 {
			continue
		}
		vals := make([]string, depth)
		for i, seg := range l.rel {
			v := seg
			if _, after, ok := strings.Cut(seg, "="); ok && !strings.HasPrefix(keys[i], "partition_") {
				v = after
			}
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
			vals[i] = v
		}
		parts = append(parts, Partition{Values: vals, Location: l.dir})
	}
	if existing == nil {
		if proto == nil {
			c.events = append(c.events, CrawlEvent{Action: "SKIPPED", Object: root, Detail: "no classifiable files"})
			return nil
		}
		t := Table{Database: c.opt.Database, Name: name, Type: ExternalTable, Owner: c.opt.Owner,
			Storage: descriptor(root, *proto), Parameters: map[string]string{"EXTERNAL": "TRUE", "classification": proto.class,
				"CrawlerSchemaSerializerVersion": "1.0", "lakeq.crawled_at": time.Now().UTC().Format(time.RFC3339)}}
		if proto.header && proto.class != "parquet" && proto.class != "json" {
			t.Parameters["skip.header.line.count"] = "1"
		}
		if proto.compression != storage.NoCompression {
			t.Parameters["compressionType"] = string(proto.compression)
		}
		for _, col := range cols {
			t.Columns = append(t.Columns, Column{Name: col.Name, Type: storedType(col.Type)})
		}
		for _, k := range keys {
			t.PartitionKeys = append(t.PartitionKeys, Column{Name: k, Type: "text"})
		}
		if err := c.store.CreateTable(c.ctx, t); err != nil {
			return err
		}
		c.events = append(c.events, CrawlEvent{Action: "CREATED", Object: full, Detail: fmt.Sprintf("%s, %d columns, %d partition keys", proto.class, len(t.Columns), len(keys))})
	} else if len(cols) > 0 {
		if err := c.evolve(existing, cols); err != nil {
			return err
		}
	}
	if len(parts) > 0 {
		n, err := c.store.AddPartitions(c.ctx, c.opt.Database, name, parts)
		if err != nil {
			return err
		}
		c.events = append(c.events, CrawlEvent{Action: "PARTITIONS ADDED", Object: full, Detail: fmt.Sprintf("%d", n)})
	}
	if existing != nil {
		if err := c.vanished(existing, root); err != nil {
			return err
		}
		if len(parts) == 0 && len(cols) == 0 {
			c.events = append(c.events, CrawlEvent{Action: "UNCHANGED", Object: full})
		}
	}
	return nil
}

// evolve applies the schema-change policy to an existing table.
func (c *crawler) evolve(t *Table, cols []storage.Column) error {
	full := t.Database + "." + t.Name
	byName := map[string]int{}
	for i, col := range t.Columns {
		byName[strings.ToLower(col.Name)] = i
	}
	var added, changed []string
	next := *t
	next.Columns = append([]Column(nil), t.Columns...)
	for _, col := range cols {
		want := storedType(col.Type)
		i, ok := byName[strings.ToLower(col.Name)]
		if !ok {
			added = append(added, col.Name+" "+want)
			next.Columns = append(next.Columns, Column{Name: col.Name, Type: want})
			continue
		}
		if have := next.Columns[i].Type; have != want {
			ht, _ := types.Parse(have)
			w := storedType(types.Widen(ht, col.Type))
			if w != have {
				changed = append(changed, fmt.Sprintf("%s %s → %s", col.Name, have, w))
				next.Columns[i].Type = w
			}
		}
	}
	if len(added) == 0 && len(changed) == 0 {
		return nil
	}
	detail := ""
	if len(added) > 0 {
		detail = "new columns: " + strings.Join(added, ", ")
	}
	if len(changed) > 0 {
		if detail != "" {
			detail += "; "
		}
		detail += "changed types: " + strings.Join(changed, ", ")
	}
	if c.opt.UpdateBehavior == "log" {
		c.events = append(c.events, CrawlEvent{Action: "LOGGED", Object: full, Detail: detail})
		return nil
	}
	if err := c.store.UpdateTable(c.ctx, next); err != nil {
		return err
	}
	c.events = append(c.events, CrawlEvent{Action: "UPDATED", Object: full, Detail: detail})
	return nil
}

// vanished applies the delete policy to partitions whose folders are gone.
func (c *crawler) vanished(t *Table, root string) error {
	ps, err := c.store.ListPartitions(c.ctx, t.Database, t.Name)
	if err != nil {
		return err
	}
	var gone [][]string
	for _, p := range ps {
		ok, err := storage.Exists(c.ctx, c.fs, p.Location)
		if err != nil {
			return err
		}
		if !ok {
			gone = append(gone, p.Values)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	full := t.Database + "." + t.Name
	switch c.opt.DeleteBehavior {
	case "delete":
		n, err := c.store.DropPartitions(c.ctx, t.Database, t.Name, gone)
		if err != nil {
			return err
		}
		c.events = append(c.events, CrawlEvent{Action: "PARTITIONS DELETED", Object: full, Detail: fmt.Sprintf("%d", n)})
	case "deprecate":
		cur, err := c.store.GetTable(c.ctx, t.Database, t.Name)
		if err != nil || cur == nil {
			return err
		}
		if cur.Parameters == nil {
			cur.Parameters = map[string]string{}
		}
		cur.Parameters["lakeq.missing_partitions"] = fmt.Sprintf("%d", len(gone))
		if err := c.store.UpdateTable(c.ctx, *cur); err != nil {
			return err
		}
		c.events = append(c.events, CrawlEvent{Action: "DEPRECATED", Object: full, Detail: fmt.Sprintf("%d partitions whose folders are gone are kept and marked", len(gone))})
	default:
		c.events = append(c.events, CrawlEvent{Action: "LOGGED", Object: full, Detail: fmt.Sprintf("%d partitions whose folders are gone", len(gone))})
	}
	return nil
}

func mergeColumns(have, add []storage.Column) []storage.Column {
	idx := map[string]int{}
	for i, c := range have {
		idx[strings.ToLower(c.Name)] = i
	}
	for _, c := range add {
		if i, ok := idx[strings.ToLower(c.Name)]; ok {
			have[i].Type = types.Widen(have[i].Type, c.Type)
			continue
		}
		idx[strings.ToLower(c.Name)] = len(have)
		have = append(have, c)
	}
	return have
}

// storedType is a column type as the catalog stores it.
func storedType(t types.T) string {
	if t.Kind == types.Unknown {
		return "text"
	}
	if t.Kind == types.Numeric && t.Prec == 0 {
		return "double precision"
	}
	return t.String()
}

// descriptor is the storage descriptor for a classified format.
func descriptor(root string, s classified) StorageDescriptor {
	sd := StorageDescriptor{Location: root, InputFormat: InputText, OutputFormat: OutputText}
	switch s.class {
	case "parquet":
		sd.InputFormat, sd.OutputFormat, sd.SerDe = InputParquet, OutputParquet, SerDeParquet
	case "json":
		sd.SerDe = SerDeOpenXJSON
	default:
		if s.quoted && s.delim == ',' {
			sd.SerDe = SerDeOpenCSV
			sd.SerDeParams = map[string]string{"separatorChar": ",", "quoteChar": "\"", "escapeChar": "\\"}
		} else {
			sd.SerDe = SerDeLazySimple
			sd.SerDeParams = map[string]string{"field.delim": string(s.delim)}
		}
	}
	sd.Compressed = s.compression != storage.NoCompression
	return sd
}
