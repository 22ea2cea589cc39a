// Package planner binds AST statements to typed logical plans, rewrites
// them with an ordered list of named optimizer rules, and builds the
// physical pipelines the executor runs.
package planner

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/types"
)

// ColumnID re-exports the expression package's column identity.
type ColumnID = expr.ColumnID

// Column is one output column of a plan node.
type Column struct {
	ID    ColumnID
	Name  string
	Type  types.T
	Table string // qualifier it is visible under ("" for computed)
}

// TableSource reads a table for the planner. Every table comes through
// one: lake files, external and managed tables, system tables and
// mounted databases are all connectors (package connectors), which the
// engine adapts to this. Implementations are safe for concurrent use;
// returned batches are immutable.
type TableSource interface {
	// Morsels negotiates a scan of the columns at indices cols, offering
	// the scan's filters (their columns resolved to table column
	// indices), and cuts it into morsels that workers read in parallel.
	// The filters still run above the scan: a source may evaluate any
	// subset of them, or use them only to skip data that cannot match.
	Morsels(ctx *exec.Ctx, cols []int, filters []expr.Expr) ([]exec.Morsel, error)
	// Remote describes, for EXPLAIN, what the source runs for the scan
	// (for a database, its SQL); "" when nothing is worth showing.
	Remote(cols []int, filters []expr.Expr) string
}

// TableColumn describes a column of a catalog table.
type TableColumn struct {
	Name    string
	Type    types.T
	NotNull bool
	Default ast.Expr // nil = NULL
	// Pseudo columns ("$path", "$file_size", …) are selectable by name
	// but not part of SELECT *.
	Pseudo bool
	// Stats feed cardinality estimates (zero: nothing known).
	Stats ColStats
}

// Table is what the catalog tells the planner about a relation.
type Table struct {
	Schema  string
	Name    string
	Kind    string // MANAGED_TABLE, EXTERNAL_TABLE, VIRTUAL_VIEW, SYSTEM
	Columns []TableColumn
	Source  TableSource
	View    *ast.Select // VIRTUAL_VIEW: the query
	Rows    int64       // row-count estimate for join ordering; 0 = unknown
}

// ViewScoper is a Catalog whose names resolve differently inside a
// view's body: ForView is the catalog to bind view t's body with (a
// session's temporary tables must not capture the names of a view
// every session shares).
type ViewScoper interface {
	ForView(t *Table) Catalog
}

// Catalog resolves names for the binder.
type Catalog interface {
	// Table returns the named relation, or nil (no error) when absent.
	// An empty schema searches the session's search_path.
	Table(ctx context.Context, schema, name string) (*Table, error)
	// FileTable resolves a file-reading table function (read_parquet,
	// read_csv, read_json, read_auto) with constant arguments.
	FileTable(ctx context.Context, fn string, args []types.Value, named map[string]types.Value) (*Table, error)
}

// Node is a logical plan operator.
type Node interface {
	Columns() []Column
	Children() []Node
	// WithChildren returns a copy with new children (same count).
	WithChildren(ch []Node) Node
	// Describe renders the node (without children) for EXPLAIN.
	Describe() string
}

// ---- nodes ----

// Scan reads a table.
type Scan struct {
	Table  *Table
	Alias  string
	Cols   []Column
	ColIdx []int // table column index per output column
	// Filters are conjuncts evaluated above the scan that the reader may
	// use to skip data (they are still applied by the Filter above).
	Filters []expr.Expr
	// Sample is the scan's TABLESAMPLE (nil: every row)
	Sample *Sample
}

// Sample is a bound TABLESAMPLE: BERNOULLI keeps each row, SYSTEM each
// morsel (a Parquet row group, a split), with probability Percent/100;
// Seed makes the choice repeatable (REPEATABLE), else it is drawn per
// query.
type Sample struct {
	Method     string // "bernoulli" or "system"
	Percent    float64
	Seed       int64
	Repeatable bool
	SeedArg    float64 // REPEATABLE's argument, as given
}

// Values is a literal row set (also the one-row input of FROM-less SELECT).
type Values struct {
	Rows [][]expr.Expr
	Cols []Column
}

// Filter keeps rows where Cond is true.
type Filter struct {
	Input Node
	Cond  expr.Expr
}

// Project computes new columns.
type Project struct {
	Input Node
	Exprs []expr.Expr
	Cols  []Column
}

// JoinType is the logical join type.
type JoinType int

// Logical join types.
const (
	JoinInner JoinType = iota
	JoinLeft
	JoinRight
	JoinFull
	JoinSemi
	JoinAnti
	JoinMark
	JoinNullAnti
	JoinCross
)

func (t JoinType) String() string {
	return [...]string{"Inner", "Left", "Right", "Full", "Semi", "Anti", "Mark", "NullAwareAnti", "Cross"}[t]
}

// Join combines two inputs. Semi/Anti output the left columns only; Mark
// adds MarkCol.
type Join struct {
	Type        JoinType
	Left, Right Node
	Cond        expr.Expr // nil = true
	MarkCol     *Column
	NullAware   bool // mark join for IN: NULL when unmatched and a key is NULL
}

// AggCall is one aggregate of an Aggregate node.
type AggCall struct {
	Name       string
	Agg        *functions.Aggregate
	Overload   *functions.AggOverload
	Args       []expr.Expr
	ArgT       []types.T
	Distinct   bool
	Filter     expr.Expr
	OrderBy    []SortKey
	Ret        types.T
	Star       bool
	WithinKey  bool // ordered-set aggregate (key is Args[0])
	key        string
	outID      ColumnID
	directArgs []expr.Expr
}

// Aggregate groups by keys and computes aggregates.
type Aggregate struct {
	Input   Node
	Keys    []expr.Expr
	KeyCols []Column
	Aggs    []AggCall
	AggCols []Column
	Sets    [][]int // grouping sets over Keys; nil = one set of all keys
	GIDCol  *Column // GROUPING() bitmask column when Sets is set
	eager   bool    // made or split by eager_aggregate: not split again
}

// SortKey orders by an expression.
type SortKey struct {
	Expr       expr.Expr
	Desc       bool
	NullsFirst bool
}

// WinCall is one window function call.
type WinCall struct {
	Name string
	Win  *functions.Window // nil for an aggregate
	Agg  *AggCall
	Args []expr.Expr
	ArgT []types.T
	Ret  types.T
}

// Window computes window functions over one window specification.
type Window struct {
	Input     Node
	Partition []expr.Expr
	Order     []SortKey
	Frame     exec.FrameSpec
	Funcs     []WinCall
	FuncCols  []Column
	// RankLimit > 0: only the rows ranked within it in their partition
	// can pass the Filter above (the window_rank_limit rule)
	RankLimit int64
}

// Sort orders rows.
type Sort struct {
	Input Node
	Keys  []SortKey
	Limit int64 // top-N when >= 0 (set by the limit-pushdown rule)
}

// Limit passes Count rows after Offset (constants after binding).
type Limit struct {
	Input  Node
	Count  int64 // -1 = all
	Offset int64
}

// Distinct removes duplicate rows.
type Distinct struct{ Input Node }

// DistinctOn keeps the first row per key of a sorted input.
type DistinctOn struct {
	Input Node
	Keys  []expr.Expr
}

// SetOp is UNION / INTERSECT / EXCEPT; both inputs are projected to Cols' types.
type SetOp struct {
	Kind        string
	All         bool
	Left, Right Node
	Cols        []Column
}

// RecursiveCTE iterates Recursive over the work table until no new rows.
type RecursiveCTE struct {
	Name      string
	Anchor    Node
	Recursive Node
	Union     bool // UNION (dedupe) vs UNION ALL
	Cols      []Column
	Work      *WorkTable
	// MaxRows > 0 stops the iteration once that many rows are produced
	// (a LIMIT above; limit_pushdown sets it for UNION ALL only).
	MaxRows int64
}

// WorkTable is the current iteration's rows inside a recursive CTE.
type WorkTable struct {
	Name  string
	Cols  []Column
	state *workState
}

type workState struct{ recs []arrow.Record }

func (n *Scan) Columns() []Column    { return n.Cols }
func (n *Values) Columns() []Column  { return n.Cols }
func (n *Filter) Columns() []Column  { return n.Input.Columns() }
func (n *Project) Columns() []Column { return n.Cols }
func (n *Aggregate) Columns() []Column {
	out := append(append([]Column{}, n.KeyCols...), n.AggCols...)
	if n.GIDCol != nil {
		out = append(out, *n.GIDCol)
	}
	return out
}
func (n *Window) Columns() []Column {
	return append(append([]Column{}, n.Input.Columns()...), n.FuncCols...)
}
func (n *Sort) Columns() []Column         { return n.Input.Columns() }
func (n *Limit) Columns() []Column        { return n.Input.Columns() }
func (n *Distinct) Columns() []Column     { return n.Input.Columns() }
func (n *DistinctOn) Columns() []Column   { return n.Input.Columns() }
func (n *SetOp) Columns() []Column        { return n.Cols }
func (n *RecursiveCTE) Columns() []Column { return n.Cols }
func (n *WorkTable) Columns() []Column    { return n.Cols }
func (n *Join) Columns() []Column {
	switch n.Type {
	case JoinSemi, JoinAnti, JoinNullAnti:
		return n.Left.Columns()
	case JoinMark:
		return append(append([]Column{}, n.Left.Columns()...), *n.MarkCol)
	}
	return append(append([]Column{}, n.Left.Columns()...), n.Right.Columns()...)
}

func (n *Scan) Children() []Node         { return nil }
func (n *Values) Children() []Node       { return nil }
func (n *WorkTable) Children() []Node    { return nil }
func (n *Filter) Children() []Node       { return []Node{n.Input} }
func (n *Project) Children() []Node      { return []Node{n.Input} }
func (n *Aggregate) Children() []Node    { return []Node{n.Input} }
func (n *Window) Children() []Node       { return []Node{n.Input} }
func (n *Sort) Children() []Node         { return []Node{n.Input} }
func (n *Limit) Children() []Node        { return []Node{n.Input} }
func (n *Distinct) Children() []Node     { return []Node{n.Input} }
func (n *DistinctOn) Children() []Node   { return []Node{n.Input} }
func (n *Join) Children() []Node         { return []Node{n.Left, n.Right} }
func (n *SetOp) Children() []Node        { return []Node{n.Left, n.Right} }
func (n *RecursiveCTE) Children() []Node { return []Node{n.Anchor, n.Recursive} }

func (n *Scan) WithChildren([]Node) Node      { c := *n; return &c }
func (n *Values) WithChildren([]Node) Node    { c := *n; return &c }
func (n *WorkTable) WithChildren([]Node) Node { return n }
func (n *Filter) WithChildren(ch []Node) Node { c := *n; c.Input = ch[0]; return &c }
func (n *Project) WithChildren(ch []Node) Node {
	c := *n
	c.Input = ch[0]
	return &c
}
func (n *Aggregate) WithChildren(ch []Node) Node {
	c := *n
	c.Input = ch[0]
	return &c
}
func (n *Window) WithChildren(ch []Node) Node { c := *n; c.Input = ch[0]; return &c }
func (n *Sort) WithChildren(ch []Node) Node   { c := *n; c.Input = ch[0]; return &c }
func (n *Limit) WithChildren(ch []Node) Node  { c := *n; c.Input = ch[0]; return &c }
func (n *Distinct) WithChildren(ch []Node) Node {
	c := *n
	c.Input = ch[0]
	return &c
}
func (n *DistinctOn) WithChildren(ch []Node) Node {
	c := *n
	c.Input = ch[0]
	return &c
}
func (n *Join) WithChildren(ch []Node) Node {
	c := *n
	c.Left, c.Right = ch[0], ch[1]
	return &c
}
func (n *SetOp) WithChildren(ch []Node) Node {
	c := *n
	c.Left, c.Right = ch[0], ch[1]
	return &c
}
func (n *RecursiveCTE) WithChildren(ch []Node) Node {
	c := *n
	c.Anchor, c.Recursive = ch[0], ch[1]
	return &c
}

func exprList(es []expr.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

func colNames(cs []Column) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Name
	}
	return strings.Join(parts, ", ")
}

func sortKeys(ks []SortKey) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		s := k.Expr.String()
		if k.Desc {
			s += " DESC"
		}
		if k.NullsFirst != k.Desc {
			if k.NullsFirst {
				s += " NULLS FIRST"
			} else {
				s += " NULLS LAST"
			}
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

func (n *Scan) Describe() string {
	name := n.Table.Name
	if n.Table.Schema != "" {
		name = n.Table.Schema + "." + name
	}
	if n.Alias != "" && n.Alias != n.Table.Name {
		name += " " + n.Alias
	}
	s := fmt.Sprintf("Scan %s [%s]", name, colNames(n.Cols))
	if n.Sample != nil {
		s += fmt.Sprintf(" sample=%s(%s)", n.Sample.Method, strconv.FormatFloat(n.Sample.Percent, 'g', -1, 64))
		if n.Sample.Repeatable {
			s += " repeatable(" + strconv.FormatFloat(n.Sample.SeedArg, 'g', -1, 64) + ")"
		}
	}
	if n.Table.Source != nil && len(n.Filters) > 0 && n.Sample == nil {
		s += " filters=[" + exprList(n.Filters) + "]"
	}
	if n.Table.Source != nil {
		if r := n.Table.Source.Remote(n.ColIdx, tableFilters(n)); r != "" {
			s += " remote=[" + r + "]"
		}
	}
	return s
}
func (n *Values) Describe() string { return fmt.Sprintf("Values (%d rows)", len(n.Rows)) }
func (n *Filter) Describe() string { return "Filter " + n.Cond.String() }
func (n *Project) Describe() string {
	return "Project " + exprList(n.Exprs)
}
func (n *Aggregate) Describe() string {
	var aggs []string
	for _, a := range n.Aggs {
		s := a.Name + "("
		if a.Distinct {
			s += "DISTINCT "
		}
		if a.Star {
			s += "*"
		} else {
			s += exprList(a.Args)
		}
		s += ")"
		if a.Filter != nil {
			s += " FILTER (WHERE " + a.Filter.String() + ")"
		}
		aggs = append(aggs, s)
	}
	s := "HashAggregate"
	if len(n.Keys) > 0 {
		s += " keys=[" + exprList(n.Keys) + "]"
	}
	if n.Sets != nil {
		s += fmt.Sprintf(" sets=%v", n.Sets)
	}
	return s + " aggs=[" + strings.Join(aggs, ", ") + "]"
}
func (n *Window) Describe() string {
	var fs []string
	for _, f := range n.Funcs {
		fs = append(fs, f.Name+"("+exprList(f.Args)+")")
	}
	s := fmt.Sprintf("Window partition=[%s] order=[%s] funcs=[%s]", exprList(n.Partition), sortKeys(n.Order), strings.Join(fs, ", "))
	if n.RankLimit > 0 {
		s += fmt.Sprintf(" rank<=%d", n.RankLimit)
	}
	return s
}
func (n *Sort) Describe() string {
	if n.Limit >= 0 {
		return fmt.Sprintf("TopN %d [%s]", n.Limit, sortKeys(n.Keys))
	}
	return "Sort [" + sortKeys(n.Keys) + "]"
}
func (n *Limit) Describe() string {
	return fmt.Sprintf("Limit %d offset %d", n.Count, n.Offset)
}
func (n *Distinct) Describe() string   { return "Distinct" }
func (n *DistinctOn) Describe() string { return "DistinctOn [" + exprList(n.Keys) + "]" }
func (n *Join) Describe() string {
	s := n.Type.String() + "Join"
	if n.Cond != nil {
		s += " on " + n.Cond.String()
	}
	return s
}
func (n *SetOp) Describe() string {
	s := strings.ToUpper(n.Kind)
	if n.All {
		s += " ALL"
	}
	return s
}
func (n *RecursiveCTE) Describe() string { return "RecursiveCTE " + n.Name }
func (n *WorkTable) Describe() string    { return "WorkTableScan " + n.Name }

// Format renders a plan tree for EXPLAIN.
func Format(n Node) string {
	var sb strings.Builder
	seen := map[*SharedCTE]bool{}
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		sb.WriteString(strings.Repeat("  ", depth))
		if depth > 0 {
			sb.WriteString("-> ")
		}
		sb.WriteString(n.Describe())
		sb.WriteByte('\n')
		for _, c := range DisplayChildren(n, seen) {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return sb.String()
}

// DisplayChildren is what EXPLAIN shows under n: its children and, under
// the first scan of a materialized WITH query (seen tracks them), that
// query's plan.
func DisplayChildren(n Node, seen map[*SharedCTE]bool) []Node {
	if c, ok := n.(*CTEScan); ok && c.materialized() && !seen[c.Shared] {
		seen[c.Shared] = true
		return []Node{c.Shared.Plan}
	}
	return n.Children()
}
