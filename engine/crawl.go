package engine

import (
	"context"
	"strings"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Crawl runs the crawler against the engine's catalog.
func (e *Engine) Crawl(ctx context.Context, opt catalog.CrawlOptions) ([]catalog.CrawlEvent, error) {
	if opt.FS == nil {
		opt.FS = e.fs
	}
	return catalog.Crawl(ctx, e.store, opt)
}

// call is CALL procedure(…). The one procedure is crawl(location,
// database [, table_name => …, update_behavior => …, delete_behavior => …]).
func (s *Session) call(ctx context.Context, x *ast.Call) (*Result, error) {
	name := strings.ToLower(x.Func.Name[len(x.Func.Name)-1])
	if name != "crawl" {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "procedure %s does not exist", name)
	}
	b := s.binder(ctx, "")
	opt := catalog.CrawlOptions{Owner: s.User, FS: s.fs()}
	for i, a := range x.Func.Args {
		e, err := b.BindConst(a)
		if err != nil {
			return nil, err
		}
		v, err := expr.EvalScalar(&expr.Ctx{Context: ctx}, e)
		if err != nil {
			return nil, err
		}
		str, ok := v.(string)
		if !ok {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "crawl: argument %d must be text", i+1)
		}
		arg := ""
		if i < len(x.Func.ArgNames) {
			arg = x.Func.ArgNames[i]
		}
		switch {
		case arg == "" && i == 0, arg == "location":
			opt.Location = str
		case arg == "" && i == 1, arg == "database":
			opt.Database = str
		case arg == "" && i == 2, arg == "table", arg == "table_name":
			opt.Table = str
		case arg == "update_behavior":
			opt.UpdateBehavior = strings.ToLower(str)
		case arg == "delete_behavior":
			opt.DeleteBehavior = strings.ToLower(str)
		default:
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "crawl: unknown argument %q", arg)
		}
	}
	if opt.Location == "" {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "crawl needs a location")
	}
	if opt.Database == "" {
		opt.Database = s.SearchPath[0]
	}
	evs, err := s.eng.Crawl(ctx, opt)
	if err != nil {
		return nil, err
	}
	rows := make([][]types.Value, len(evs))
	for i, ev := range evs {
		rows[i] = []types.Value{ev.Action, ev.Object, ev.Detail}
	}
	return textResult([]string{"action", "object", "detail"}, rows, "CALL"), nil
}
