// Package ast holds lakeq's own statement and expression nodes. The parser
// produces them from pg_query's tree (and from the hand-written front for
// lake statements); nothing outside parser/ sees pg_query types.
//
// Positions are 0-based byte offsets into the statement text, -1 when unknown.
package ast

// Stmt is any statement.
type Stmt interface{ stmt() }

// Expr is any scalar expression.
type Expr interface {
	expr()
	// Pos is the 0-based byte offset of the node in the SQL text, or -1.
	Pos() int
}

// TableExpr is an item of a FROM clause.
type TableExpr interface{ tableExpr() }

// ---- statements ----

// Select is a query: a simple SELECT, a VALUES list, or a set operation.
type Select struct {
	With       *With
	Distinct   bool
	DistinctOn []Expr
	Targets    []Target
	From       []TableExpr
	Where      Expr
	GroupBy    []GroupItem
	Having     Expr
	Windows    []WindowDef
	Values     [][]Expr // non-nil for VALUES
	OrderBy    []OrderItem
	Limit      Expr
	Offset     Expr
	WithTies   bool
	// Set operation: Op is "", "union", "intersect" or "except".
	Op          string
	All         bool
	Left, Right *Select
}

// With is a WITH clause.
type With struct {
	Recursive bool
	CTEs      []CTE
}

// CTE is one common table expression.
type CTE struct {
	Name    string
	Columns []string
	Query   Stmt // usually *Select
	Pos     int
	Cycle   *Cycle
}

// Cycle is a recursive CTE's CYCLE clause: CYCLE Cols SET Mark [TO
// MarkTo DEFAULT MarkDefault] USING Path (MarkTo and MarkDefault nil for
// the boolean default, true and false).
type Cycle struct {
	Cols                []string
	Mark, Path          string
	MarkTo, MarkDefault Expr
	Pos                 int
}

// Target is one select-list item.
type Target struct {
	Expr  Expr
	Alias string
	Pos   int
}

// GroupItem is a GROUP BY element: a plain expression or a grouping set.
type GroupItem struct {
	Expr Expr
	// Kind: "" for a plain expression, "sets", "rollup", "cube", "empty".
	Kind  string
	Items []GroupItem
}

// OrderItem is a sort key.
type OrderItem struct {
	Expr       Expr
	Desc       bool
	NullsFirst *bool // nil = default (NULLS LAST for ASC, FIRST for DESC)
	Using      string
}

// WindowDef is a window specification, named (in WINDOW) or inline.
type WindowDef struct {
	Name        string
	RefName     string
	PartitionBy []Expr
	OrderBy     []OrderItem
	Frame       *Frame
}

// Frame is a window frame clause.
type Frame struct {
	Mode       string // "rows", "range", "groups"
	Start, End FrameBound
	Exclude    string // "", "current row", "group", "ties"
}

// FrameBound is one end of a frame.
type FrameBound struct {
	// Kind: "unbounded preceding", "preceding", "current row", "following", "unbounded following".
	Kind   string
	Offset Expr
}

// ColumnDef is a column in CREATE TABLE.
type ColumnDef struct {
	Name       string
	Type       *TypeName
	NotNull    bool
	PrimaryKey bool
	Unique     bool
	Default    Expr
	DefaultSQL string // the default expression's text, for the catalog
	Comment    string
	// Serial is smallserial, serial or bigserial: the column's type is
	// the integer, its default the next value of a sequence of its own
	Serial bool
	// Identity is GENERATED ALWAYS / BY DEFAULT AS IDENTITY ("always",
	// "by default"): a serial column whose sequence takes SeqOptions,
	// and whose values ALWAYS refuses to take from an INSERT
	Identity   string
	SeqOptions SeqOptions
}

// AlterColumns is PostgreSQL's ALTER TABLE column actions (ADD COLUMN,
// DROP COLUMN, RENAME COLUMN, ALTER COLUMN … TYPE / SET DEFAULT / DROP
// DEFAULT / SET NOT NULL / DROP NOT NULL), applied together as one
// change of the table.
type AlterColumns struct {
	Table    QualifiedName
	IfExists bool // ALTER TABLE IF EXISTS
	Cmds     []ColumnCmd
}

func (*AlterColumns) stmt() {}

// ColumnCmd is one action of AlterColumns.
type ColumnCmd struct {
	// Action is "add", "drop", "rename", "type", "set default",
	// "drop default", "set not null" or "drop not null".
	Action string
	Column string     // the column acted on (add: Def.Name)
	Def    *ColumnDef // add: the new column
	// IfExists is DROP COLUMN IF EXISTS; IfNotExists ADD COLUMN IF NOT EXISTS
	IfExists, IfNotExists bool
	NewName               string    // rename
	Type                  *TypeName // type
	Using                 string    // type … USING: the expression's text ("" for none)
	Default               Expr      // set default
	DefaultSQL            string    // set default: the expression's text
}

// CreateSequence is CREATE SEQUENCE.
type CreateSequence struct {
	Name        QualifiedName
	IfNotExists bool
	Temp        bool
	Options     SeqOptions
}

// AlterSequence is ALTER SEQUENCE.
type AlterSequence struct {
	Name     QualifiedName
	IfExists bool
	Options  SeqOptions
}

func (*CreateSequence) stmt() {}
func (*AlterSequence) stmt()  {}

// SeqOptions are a sequence's options as written (nil: not given).
type SeqOptions struct {
	As                               string // smallint, integer or bigint
	Increment, Start, Restart, Cache *int64
	Min, Max                         *int64
	NoMin, NoMax                     bool // NO MINVALUE / NO MAXVALUE
	RestartDefault                   bool // RESTART without WITH
	Cycle                            *bool
	OwnedBy                          []string // table, column; ["none"] for OWNED BY NONE
}

// CreateTable is CREATE TABLE (and CREATE TABLE AS when Query is set).
type CreateTable struct {
	Name        QualifiedName
	Columns     []ColumnDef
	IfNotExists bool
	Query       *Select
	ColNames    []string // CTAS column aliases
	WithData    bool
	// Options are WITH (name = value, …): PostgreSQL's storage
	// parameters, or Athena's CTAS properties (format, …); names lower-case
	Options []Option
	// Temp is CREATE TEMPORARY TABLE (or SELECT … INTO TEMP): the table
	// is the session's own and goes when it ends; OnCommit is what
	// happens to it at each commit ("", "DELETE ROWS" or "DROP").
	Temp     bool
	OnCommit string
}

// Unload is Athena's UNLOAD (SELECT …) TO 'location' WITH (…): the
// query's rows written as files, with no table.
type Unload struct {
	Query    *Select
	QuerySQL string
	To       string
	Options  []Option // lower-case names; ARRAY['a', 'b'] as "a,b"
	// Redshift is UNLOAD ('query') TO 'prefix' [option …]: Options then
	// hold Redshift's options, names upper-case, as written
	Redshift bool
}

func (*Unload) stmt() {}

// Option is one WITH (name = value) entry.
type Option struct{ Name, Value string }

// Insert is INSERT INTO.
type Insert struct {
	Table     QualifiedName
	Alias     string
	Columns   []string
	Query     *Select // nil means DEFAULT VALUES
	Returning []Target
	// Hive's forms: INSERT OVERWRITE [TABLE] t … replaces what it
	// writes to; PARTITION (k = 'v', d, …) names the partitions, static
	// keys with a value, dynamic ones from the query's last columns.
	Overwrite bool
	Partition []PartitionKey
	// OverridingSystem is OVERRIDING SYSTEM VALUE: explicit values for
	// GENERATED ALWAYS identity columns
	OverridingSystem bool
}

// PartitionKey is one key of INSERT's PARTITION clause.
type PartitionKey struct {
	Name    string
	Value   string
	Dynamic bool // no value: the query's column gives it
}

// Update is UPDATE ... SET ... [FROM] [WHERE].
type Update struct {
	Table     QualifiedName
	Alias     string
	Set       []SetClause
	From      []TableExpr
	Where     Expr
	Returning []Target
}

// SetClause is one column assignment.
type SetClause struct {
	Column string
	Value  Expr // nil means DEFAULT
}

// Delete is DELETE FROM.
type Delete struct {
	Table     QualifiedName
	Alias     string
	Using     []TableExpr
	Where     Expr
	Returning []Target
}

// Merge is MERGE INTO target USING source ON cond WHEN … THEN ….
type Merge struct {
	Table QualifiedName
	Alias string
	// Sources is MERGE's USING item (UPDATE … FROM and DELETE … USING,
	// run as MERGE, may have several)
	Sources []TableExpr
	On      Expr
	Whens   []MergeWhen
}

// MergeWhen is one WHEN clause of MERGE, in its order.
type MergeWhen struct {
	Kind    string // "matched", "not matched" (by target), "not matched by source"
	Action  string // "update", "insert", "delete", "nothing"
	Cond    Expr   // AND condition, nil for none
	Set     []SetClause
	Columns []string // INSERT's column list (nil: all, in order)
	Values  []Expr   // INSERT's values (nil: DEFAULT VALUES); a nil element is DEFAULT
}

// Truncate is TRUNCATE.
type Truncate struct{ Tables []QualifiedName }

// Comment is COMMENT ON TABLE|VIEW|COLUMN … IS '…' (Text nil: IS NULL).
type Comment struct {
	Kind   string // "table", "view", "column"
	Table  QualifiedName
	Column string
	Text   *string
}

// Drop is DROP TABLE / VIEW / INDEX / SCHEMA.
type Drop struct {
	Kind     string // "table", "view", "index", "schema"
	Names    []QualifiedName
	IfExists bool
	Cascade  bool
}

// CreateView is CREATE [OR REPLACE] VIEW.
type CreateView struct {
	Name      QualifiedName
	Columns   []string
	Query     *Select
	SQL       string // the query's text, as stored in the catalog
	OrReplace bool
	Temp      bool // CREATE TEMPORARY VIEW: the session's own
}

// CreateIndex is CREATE INDEX: accepted and recorded, plans nothing yet.
type CreateIndex struct {
	Name        string
	Table       QualifiedName
	Unique      bool
	IfNotExists bool
}

// CreateSchema is CREATE SCHEMA.
type CreateSchema struct {
	Name        string
	IfNotExists bool
}

// Explain is EXPLAIN [ANALYZE] or EXPLAIN (COST): the plan with the bytes
// it would scan and their price, without running it.
type Explain struct {
	Stmt    Stmt
	Analyze bool
	Verbose bool
	Cost    bool
}

// Set is SET name = value / SET name TO DEFAULT / RESET.
type Set struct {
	Name  string
	Value []Expr // nil = DEFAULT / RESET
	Local bool
	Reset bool
}

// Show is SHOW name.
type Show struct{ Name string }

// Transaction is BEGIN / COMMIT / ROLLBACK and friends.
type Transaction struct{ Kind string }

// Noop is a statement accepted and ignored (e.g. ANALYZE, VACUUM).
type Noop struct{ Tag string }

func (*Select) stmt()       {}
func (*CreateTable) stmt()  {}
func (*Insert) stmt()       {}
func (*Update) stmt()       {}
func (*Delete) stmt()       {}
func (*Merge) stmt()        {}
func (*Truncate) stmt()     {}
func (*Comment) stmt()      {}
func (*Drop) stmt()         {}
func (*CreateView) stmt()   {}
func (*CreateIndex) stmt()  {}
func (*CreateSchema) stmt() {}
func (*Explain) stmt()      {}
func (*Set) stmt()          {}
func (*Show) stmt()         {}
func (*Transaction) stmt()  {}
func (*Noop) stmt()         {}

// QualifiedName is [schema.]name.
type QualifiedName struct {
	Schema string
	Name   string
	Pos    int
}

func (q QualifiedName) String() string {
	if q.Schema != "" {
		return q.Schema + "." + q.Name
	}
	return q.Name
}

// ---- FROM items ----

// Alias is a table alias with optional column aliases.
type Alias struct {
	Name    string
	Columns []string
}

// TableName references a table, view or CTE.
type TableName struct {
	Name  QualifiedName
	Alias *Alias
	// Sample is TABLESAMPLE method (args) [REPEATABLE (seed)]
	Sample *TableSample
}

// TableSample is a TABLESAMPLE clause.
type TableSample struct {
	Method     string
	Args       []Expr
	Repeatable Expr // nil when absent
	Pos        int
}

// SubqueryTable is a derived table.
type SubqueryTable struct {
	Query   *Select
	Alias   *Alias
	Lateral bool
}

// FuncTable is a table function in FROM (generate_series, read_parquet, ...).
type FuncTable struct {
	Func *FuncCall
	// RowsFrom holds ROWS FROM's functions when it has several (Func is
	// then nil): run side by side, the shorter padded with NULLs
	RowsFrom []*FuncCall
	// ColDefs is the column definition list a function returning record
	// needs (AS x(a int, b text))
	ColDefs        []ColumnDef
	Alias          *Alias
	Lateral        bool
	WithOrdinality bool
}

// Join is a join of two FROM items.
type Join struct {
	Type    string // "inner", "left", "right", "full", "cross"
	Left    TableExpr
	Right   TableExpr
	On      Expr
	Using   []string
	Natural bool
	Alias   *Alias
}

func (*TableName) tableExpr()     {}
func (*SubqueryTable) tableExpr() {}
func (*FuncTable) tableExpr()     {}
func (*Join) tableExpr()          {}

// ---- expressions ----

// TypeName is a type reference: names, modifiers, array dimensions.
type TypeName struct {
	Names     []string
	Mods      []int
	ArrayDims int
	Pos       int
}

// ColumnRef is a possibly qualified column reference; a trailing "*" part is a star.
type ColumnRef struct {
	Parts    []string
	Star     bool
	Location int
	// BoundID, set by the binder's expansion of *, names the column by
	// its id: two columns of one FROM item may share a name
	// (unnest(a, b) gives two "unnest")
	BoundID int
}

// Const is a literal.
type Const struct {
	// Kind: "int", "float" (numeric text), "string", "bitstring", "bool", "null".
	Kind     string
	Val      string
	Location int
}

// TypedLiteral is TYPE 'string' (DATE '2020-01-01', INTERVAL '1 day').
type TypedLiteral struct {
	Type     *TypeName
	Val      string
	Location int
}

// Param is a positional parameter $n.
type Param struct {
	N        int
	Location int
}

// BinaryOp is a binary operator expression (arithmetic, comparison, ||, ~, IS DISTINCT FROM, ...).
type BinaryOp struct {
	Op       string
	L, R     Expr
	Location int
}

// UnaryOp is a prefix operator (-, +, ~, @).
type UnaryOp struct {
	Op       string
	X        Expr
	Location int
}

// BoolExpr is AND / OR / NOT.
type BoolExpr struct {
	Op       string // "and", "or", "not"
	Args     []Expr
	Location int
}

// FuncCall is a function or aggregate call, possibly with OVER.
type FuncCall struct {
	Name        []string
	Args        []Expr
	Star        bool
	Distinct    bool
	Filter      Expr
	Over        *WindowDef
	OrderBy     []OrderItem // aggregate ORDER BY, or WITHIN GROUP order
	WithinGroup bool
	Variadic    bool
	ArgNames    []string // named arguments (name => value), "" for positional
	Location    int
}

// Cast is CAST(x AS t) or x::t.
type Cast struct {
	X        Expr
	Type     *TypeName
	Location int
}

// Case is a CASE expression.
type Case struct {
	Arg      Expr
	Whens    []When
	Else     Expr
	Location int
}

// When is one WHEN ... THEN ... arm.
type When struct{ Cond, Result Expr }

// Coalesce is COALESCE(...).
type Coalesce struct {
	Args     []Expr
	Location int
}

// NullIf is NULLIF(a, b).
type NullIf struct {
	A, B     Expr
	Location int
}

// MinMax is GREATEST / LEAST.
type MinMax struct {
	Greatest bool
	Args     []Expr
	Location int
}

// NullTest is IS [NOT] NULL.
type NullTest struct {
	X        Expr
	Not      bool
	Location int
}

// BoolTest is IS [NOT] TRUE / FALSE / UNKNOWN.
type BoolTest struct {
	X        Expr
	Kind     string // "true", "false", "unknown"
	Not      bool
	Location int
}

// In is x [NOT] IN (list).
type In struct {
	X        Expr
	List     []Expr
	Not      bool
	Location int
}

// Between is x [NOT] BETWEEN [SYMMETRIC] lo AND hi.
type Between struct {
	X, Lo, Hi Expr
	Not       bool
	Symmetric bool
	Location  int
}

// Like is LIKE / ILIKE / SIMILAR TO.
type Like struct {
	X, Pattern      Expr
	Escape          Expr
	Not             bool
	CaseInsensitive bool
	Similar         bool
	Location        int
}

// SubLink is a subquery used as an expression.
type SubLink struct {
	// Kind: "exists", "any", "all", "expr", "array".
	Kind     string
	Op       string // comparison operator for any/all (IN is "=" any)
	Test     Expr
	Query    *Select
	Location int
}

// Array is ARRAY[...].
type Array struct {
	Elems    []Expr
	Location int
}

// Row is ROW(...) or (a, b).
type Row struct {
	Args     []Expr
	Location int
}

// Subscript is x[i] or x[lo:hi].
type Subscript struct {
	X        Expr
	Index    Expr
	Upper    Expr
	Slice    bool
	Location int
}

// Collate is x COLLATE name.
type Collate struct {
	X        Expr
	Name     []string
	Location int
}

// Field is (x).field.
type Field struct {
	X        Expr
	Name     string
	Location int
}

// Default is DEFAULT in an INSERT or UPDATE.
type Default struct{ Location int }

// GroupingFunc is GROUPING(a, b, ...).
type GroupingFunc struct {
	Args     []Expr
	Location int
}

func (*ColumnRef) expr()    {}
func (*Const) expr()        {}
func (*TypedLiteral) expr() {}
func (*Param) expr()        {}
func (*BinaryOp) expr()     {}
func (*UnaryOp) expr()      {}
func (*BoolExpr) expr()     {}
func (*FuncCall) expr()     {}
func (*Cast) expr()         {}
func (*Case) expr()         {}
func (*Coalesce) expr()     {}
func (*NullIf) expr()       {}
func (*MinMax) expr()       {}
func (*NullTest) expr()     {}
func (*BoolTest) expr()     {}
func (*In) expr()           {}
func (*Between) expr()      {}
func (*Like) expr()         {}
func (*SubLink) expr()      {}
func (*Array) expr()        {}
func (*Row) expr()          {}
func (*Subscript) expr()    {}
func (*Collate) expr()      {}
func (*Field) expr()        {}
func (*Default) expr()      {}
func (*GroupingFunc) expr() {}

func (e *ColumnRef) Pos() int    { return e.Location }
func (e *Const) Pos() int        { return e.Location }
func (e *TypedLiteral) Pos() int { return e.Location }
func (e *Param) Pos() int        { return e.Location }
func (e *BinaryOp) Pos() int     { return e.Location }
func (e *UnaryOp) Pos() int      { return e.Location }
func (e *BoolExpr) Pos() int     { return e.Location }
func (e *FuncCall) Pos() int     { return e.Location }
func (e *Cast) Pos() int         { return e.Location }
func (e *Case) Pos() int         { return e.Location }
func (e *Coalesce) Pos() int     { return e.Location }
func (e *NullIf) Pos() int       { return e.Location }
func (e *MinMax) Pos() int       { return e.Location }
func (e *NullTest) Pos() int     { return e.Location }
func (e *BoolTest) Pos() int     { return e.Location }
func (e *In) Pos() int           { return e.Location }
func (e *Between) Pos() int      { return e.Location }
func (e *Like) Pos() int         { return e.Location }
func (e *SubLink) Pos() int      { return e.Location }
func (e *Array) Pos() int        { return e.Location }
func (e *Row) Pos() int          { return e.Location }
func (e *Subscript) Pos() int    { return e.Location }
func (e *Collate) Pos() int      { return e.Location }
func (e *Field) Pos() int        { return e.Location }
func (e *Default) Pos() int      { return e.Location }
func (e *GroupingFunc) Pos() int { return e.Location }

// RoleStmt is CREATE/ALTER/DROP USER|ROLE.
type RoleStmt struct {
	Kind      string // "create", "alter", "drop", "grant", "revoke"
	IsUser    bool   // USER (LOGIN by default) rather than ROLE
	Names     []string
	IfExists  bool
	Password  *string // nil: not given; "" with NoPassword: PASSWORD NULL
	NoPasswd  bool
	Superuser *bool
	Login     *bool
	Members   []string // GRANT/REVOKE role TO/FROM these
}

func (*RoleStmt) stmt() {}

// Copy is COPY table [(cols)] FROM STDIN | COPY {table | (query)} TO STDOUT
// (or a file), with PostgreSQL's options.
type Copy struct {
	Table    QualifiedName
	Columns  []string
	Query    *Select // COPY (query) TO
	QuerySQL string
	From     bool
	File     string // "" = STDIN/STDOUT
	Format   string // text, csv, binary
	Header   bool
	// HeaderMatch is HEADER MATCH (COPY FROM): the header line must name
	// the columns
	HeaderMatch bool
	Delimiter   string // "" = the format's default
	Null        *string
	Quote       string
	Escape      string
	// ForceQuote (COPY TO, CSV) quotes these columns' non-NULL values;
	// ForceQuoteAll is FORCE_QUOTE *. ForceNotNull and ForceNull (COPY
	// FROM, CSV) read these columns' NULL marker as an empty string, and
	// a quoted one as NULL.
	ForceQuote, ForceNotNull, ForceNull []string
	ForceQuoteAll                       bool
	// Redshift is set for Redshift's COPY (File is then a file, a prefix
	// or a manifest); Options holds its options in the order written,
	// names upper-case, values as written ("" for a bare keyword).
	Redshift bool
	Options  []Option
}

func (*Copy) stmt() {}

// Prepare is PREPARE name [(types)] AS statement.
type Prepare struct {
	Name     string
	ArgTypes []*TypeName
	Stmt     Stmt
	SQL      string // the statement's text
}

// Execute is EXECUTE name [(args)].
type Execute struct {
	Name string
	Args []Expr
}

// Deallocate is DEALLOCATE [PREPARE] name | ALL.
type Deallocate struct {
	Name string
	All  bool
}

// DeclareCursor is DECLARE name … CURSOR [WITH HOLD] FOR query.
type DeclareCursor struct {
	Name     string
	Query    *Select
	SQL      string
	WithHold bool
}

// Fetch is FETCH / MOVE [count] [FROM|IN] cursor (forward only).
type Fetch struct {
	Name  string
	Count int64 // rows; math.MaxInt64 for ALL
	Move  bool
	Back  bool // BACKWARD / PRIOR / ABSOLUTE …: not supported (NO SCROLL)
}

// CloseCursor is CLOSE name | ALL.
type CloseCursor struct{ Name string }

// Discard is DISCARD ALL | PLANS | SEQUENCES | TEMP.
type Discard struct{ What string }

func (*Prepare) stmt()       {}
func (*Execute) stmt()       {}
func (*Deallocate) stmt()    {}
func (*DeclareCursor) stmt() {}
func (*Fetch) stmt()         {}
func (*CloseCursor) stmt()   {}
func (*Discard) stmt()       {}
