// Package tpch generates TPC-H data from the specification (clause 4.2):
// exact row counts per scale factor for the fixed-size tables, the key
// relationships, value domains, word lists and text grammar. It is not
// byte-identical to dbgen; every row is a deterministic function of its
// table, scale factor and row number, so chunks generate in parallel.
package tpch

import (
	"fmt"
	"math/bits"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Tables in generation order.
var Tables = []string{"region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"}

type rng struct{ s uint64 }

func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func newRNG(seed, row uint64) *rng { return &rng{s: mix(seed*0x9e3779b97f4a7c15 + row + 1)} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// between returns a uniform integer in [lo, hi].
func (r *rng) between(lo, hi int64) int64 { return lo + int64(r.intn(int(hi-lo+1))) }

// Generator produces the tables of one scale factor.
type Generator struct {
	SF   float64
	pool string
}

// New returns a generator for scale factor sf.
func New(sf float64) *Generator { return &Generator{SF: sf, pool: textPool(2 << 20)} }

func (g *Generator) scaled(n float64) int64 {
	v := int64(n * g.SF)
	if v < 1 {
		v = 1
	}
	return v
}

// Rows is the number of driver rows of a table: its row count, except
// lineitem, which is driven by orders (1 to 7 lines each).
func (g *Generator) Rows(table string) int64 {
	switch table {
	case "region":
		return 5
	case "nation":
		return 25
	case "supplier":
		return g.scaled(10000)
	case "customer":
		return g.scaled(150000)
	case "part":
		return g.scaled(200000)
	case "partsupp":
		return g.scaled(200000) // 4 rows per part
	case "orders", "lineitem":
		return g.scaled(1500000)
	}
	return 0
}

func dec(p int32) arrow.DataType { return &arrow.Decimal128Type{Precision: p, Scale: 2} }

// Schema returns a table's Arrow schema (keys integer, money decimal(15,2)).
func Schema(table string) *arrow.Schema {
	i32, i64, str, date := arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Date32
	_ = i64
	f := func(name string, t arrow.DataType) arrow.Field { return arrow.Field{Name: name, Type: t} }
	var fs []arrow.Field
	switch table {
	case "region":
		fs = []arrow.Field{f("r_regionkey", i32), f("r_name", str), f("r_comment", str)}
	case "nation":
		fs = []arrow.Field{f("n_nationkey", i32), f("n_name", str), f("n_regionkey", i32), f("n_comment", str)}
	case "supplier":
		fs = []arrow.Field{f("s_suppkey", i32), f("s_name", str), f("s_address", str), f("s_nationkey", i32), f("s_phone", str), f("s_acctbal", dec(15)), f("s_comment", str)}
	case "customer":
		fs = []arrow.Field{f("c_custkey", i32), f("c_name", str), f("c_address", str), f("c_nationkey", i32), f("c_phone", str), f("c_acctbal", dec(15)), f("c_mktsegment", str), f("c_comment", str)}
	case "part":
		fs = []arrow.Field{f("p_partkey", i32), f("p_name", str), f("p_mfgr", str), f("p_brand", str), f("p_type", str), f("p_size", i32), f("p_container", str), f("p_retailprice", dec(15)), f("p_comment", str)}
	case "partsupp":
		fs = []arrow.Field{f("ps_partkey", i32), f("ps_suppkey", i32), f("ps_availqty", i32), f("ps_supplycost", dec(15)), f("ps_comment", str)}
	case "orders":
		fs = []arrow.Field{f("o_orderkey", i32), f("o_custkey", i32), f("o_orderstatus", str), f("o_totalprice", dec(15)), f("o_orderdate", date), f("o_orderpriority", str), f("o_clerk", str), f("o_shippriority", i32), f("o_comment", str)}
	case "lineitem":
		fs = []arrow.Field{f("l_orderkey", i32), f("l_partkey", i32), f("l_suppkey", i32), f("l_linenumber", i32), f("l_quantity", dec(15)), f("l_extendedprice", dec(15)), f("l_discount", dec(15)), f("l_tax", dec(15)), f("l_returnflag", str), f("l_linestatus", str), f("l_shipdate", date), f("l_commitdate", date), f("l_receiptdate", date), f("l_shipinstruct", str), f("l_shipmode", str), f("l_comment", str)}
	default:
		return nil
	}
	return arrow.NewSchema(fs, nil)
}

var (
	startDate   = int32(time.Date(1992, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	endDate     = int32(time.Date(1998, 12, 31, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	currentDate = int32(time.Date(1995, 6, 17, 0, 0, 0, 0, time.UTC).Unix() / 86400)
)

func (g *Generator) text(r *rng, lo, hi int) string {
	n := int(r.between(int64(lo), int64(hi)))
	off := r.intn(len(g.pool) - n - 1)
	return g.pool[off : off+n]
}

// vstring is a random string of letters, digits and punctuation (addresses).
func vstring(r *rng, lo, hi int) string {
	const alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,. "
	n := int(r.between(int64(lo), int64(hi)))
	b := make([]byte, n)
	for i := range b {
		b[i] = alpha[r.intn(len(alpha))]
	}
	return string(b)
}

func phone(r *rng, nation int32) string {
	return fmt.Sprintf("%02d-%03d-%03d-%04d", nation+10, r.between(100, 999), r.between(100, 999), r.between(1000, 9999))
}

func retailPrice(partkey int64) int64 {
	return 90000 + ((partkey / 10) % 20001) + 100*(partkey%1000)
}

// suppFor is the i-th (0..3) supplier of a part (clause 4.2.3).
func (g *Generator) suppFor(partkey int64, i int64) int64 {
	s := g.Rows("supplier")
	return (partkey+i*((s/4)+(partkey-1)/s))%s + 1
}

// orderKey spreads keys sparsely: 8 of every 32 values are used.
func orderKey(i int64) int64 { return (i/8)*32 + i%8 + 1 }

const (
	seedRegion = iota + 1
	seedNation
	seedSupplier
	seedCustomer
	seedPart
	seedPartsupp
	seedOrders
)

type builders struct {
	b *array.RecordBuilder
}

func (bs builders) i32(c int, v int64)  { bs.b.Field(c).(*array.Int32Builder).Append(int32(v)) }
func (bs builders) str(c int, v string) { bs.b.Field(c).(*array.StringBuilder).Append(v) }
func (bs builders) money(c int, cents int64) {
	bs.b.Field(c).(*array.Decimal128Builder).Append(decimal128.FromI64(cents))
}
func (bs builders) date(c int, d int32) { bs.b.Field(c).(*array.Date32Builder).Append(arrow.Date32(d)) }

// Generate builds the rows of table for driver rows [from, to).
func (g *Generator) Generate(table string, from, to int64) arrow.Record {
	rb := array.NewRecordBuilder(memory.DefaultAllocator, Schema(table))
	defer rb.Release()
	b := builders{rb}
	for i := from; i < to; i++ {
		switch table {
		case "region":
			r := newRNG(seedRegion, uint64(i))
			b.i32(0, i)
			b.str(1, regions[i])
			b.str(2, g.text(r, 31, 115))
		case "nation":
			r := newRNG(seedNation, uint64(i))
			b.i32(0, i)
			b.str(1, nations[i].name)
			b.i32(2, int64(nations[i].region))
			b.str(3, g.text(r, 31, 114))
		case "supplier":
			r := newRNG(seedSupplier, uint64(i))
			key := i + 1
			nation := int32(r.intn(25))
			b.i32(0, key)
			b.str(1, fmt.Sprintf("Supplier#%09d", key))
			b.str(2, vstring(r, 10, 40))
			b.i32(3, int64(nation))
			b.str(4, phone(r, nation))
			b.money(5, r.between(-99999, 999999))
			comment := g.text(r, 25, 100)
			// 5 in every 10,000 suppliers have complaints, 5 recommendations (q16)
			switch key % 2000 {
			case 7:
				comment = insertWords(r, comment, "Customer", "Complaints")
			case 1007:
				comment = insertWords(r, comment, "Customer", "Recommends")
			}
			b.str(6, comment)
		case "customer":
			r := newRNG(seedCustomer, uint64(i))
			key := i + 1
			nation := int32(r.intn(25))
			b.i32(0, key)
			b.str(1, fmt.Sprintf("Customer#%09d", key))
			b.str(2, vstring(r, 10, 40))
			b.i32(3, int64(nation))
			b.str(4, phone(r, nation))
			b.money(5, r.between(-99999, 999999))
			b.str(6, segments[r.intn(len(segments))])
			b.str(7, g.text(r, 29, 116))
		case "part":
			r := newRNG(seedPart, uint64(i))
			key := i + 1
			b.i32(0, key)
			// five distinct colors
			var words []string
			used := map[int]bool{}
			for len(words) < 5 {
				c := r.intn(len(colors))
				if !used[c] {
					used[c] = true
					words = append(words, colors[c])
				}
			}
			b.str(1, fmt.Sprintf("%s %s %s %s %s", words[0], words[1], words[2], words[3], words[4]))
			m := r.between(1, 5)
			b.str(2, fmt.Sprintf("Manufacturer#%d", m))
			b.str(3, fmt.Sprintf("Brand#%d%d", m, r.between(1, 5)))
			b.str(4, typeSyl1[r.intn(6)]+" "+typeSyl2[r.intn(5)]+" "+typeSyl3[r.intn(5)])
			b.i32(5, r.between(1, 50))
			b.str(6, containerSyl1[r.intn(5)]+" "+containerSyl2[r.intn(8)])
			b.money(7, retailPrice(key))
			b.str(8, g.text(r, 5, 22))
		case "partsupp":
			key := i + 1
			for j := int64(0); j < 4; j++ {
				r := newRNG(seedPartsupp, uint64(i*4+j))
				b.i32(0, key)
				b.i32(1, g.suppFor(key, j))
				b.i32(2, r.between(1, 9999))
				b.money(3, r.between(100, 100000))
				b.str(4, g.text(r, 49, 198))
			}
		case "orders", "lineitem":
			g.order(b, table == "lineitem", i)
		}
	}
	return rb.NewRecord()
}

func insertWords(r *rng, comment, a, b string) string {
	if len(comment) < 30 {
		return a + " " + comment + " " + b
	}
	p := r.intn(len(comment) / 2)
	return comment[:p] + a + " " + comment[p:] + " " + b
}

type line struct {
	partkey, suppkey, qty, price, disc, tax int64
	ship, commit, receipt                   int32
	flag, status, instruct, mode, comment   string
}

// order generates order i and its lines; it emits the order row or the lines.
func (g *Generator) order(b builders, lines bool, i int64) {
	r := newRNG(seedOrders, uint64(i))
	key := orderKey(i)
	ncust := g.Rows("customer")
	cust := r.between(1, ncust)
	for cust%3 == 0 { // every third customer places no orders
		cust = r.between(1, ncust)
	}
	odate := startDate + int32(r.between(0, int64(endDate-startDate-151)))
	prio := priorities[r.intn(5)]
	clerk := fmt.Sprintf("Clerk#%09d", r.between(1, max(g.scaled(1000), 1)))
	comment := g.text(r, 19, 78)
	n := int(r.between(1, 7))
	nparts := g.Rows("part")
	var total int64
	fCount := 0
	ls := make([]line, n)
	for j := 0; j < n; j++ {
		l := &ls[j]
		l.partkey = r.between(1, nparts)
		l.suppkey = g.suppFor(l.partkey, int64(r.intn(4)))
		l.qty = r.between(1, 50)
		l.price = l.qty * retailPrice(l.partkey)
		l.disc = r.between(0, 10)
		l.tax = r.between(0, 8)
		l.ship = odate + int32(r.between(1, 121))
		l.commit = odate + int32(r.between(30, 90))
		l.receipt = l.ship + int32(r.between(1, 30))
		if l.receipt <= currentDate {
			l.flag = []string{"R", "A"}[r.intn(2)]
		} else {
			l.flag = "N"
		}
		if l.ship > currentDate {
			l.status = "O"
		} else {
			l.status = "F"
			fCount++
		}
		l.instruct = instructions[r.intn(4)]
		l.mode = modes[r.intn(7)]
		l.comment = g.text(r, 10, 43)
		// total = Σ extendedprice × (1 + tax) × (1 − discount), in cents
		total += l.price * (100 + l.tax) * (100 - l.disc) / 10000
	}
	if !lines {
		status := "P"
		switch fCount {
		case n:
			status = "F"
		case 0:
			status = "O"
		}
		b.i32(0, key)
		b.i32(1, cust)
		b.str(2, status)
		b.money(3, total)
		b.date(4, odate)
		b.str(5, prio)
		b.str(6, clerk)
		b.i32(7, 0)
		b.str(8, comment)
		return
	}
	for j, l := range ls {
		b.i32(0, key)
		b.i32(1, l.partkey)
		b.i32(2, l.suppkey)
		b.i32(3, int64(j+1))
		b.money(4, l.qty*100)
		b.money(5, l.price)
		b.money(6, l.disc)
		b.money(7, l.tax)
		b.str(8, l.flag)
		b.str(9, l.status)
		b.date(10, l.ship)
		b.date(11, l.commit)
		b.date(12, l.receipt)
		b.str(13, l.instruct)
		b.str(14, l.mode)
		b.str(15, l.comment)
	}
}
