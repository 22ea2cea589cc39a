package planner

// Rule is one named rewrite of a logical plan.
type Rule struct {
	Name  string
	Apply func(Node) (Node, error)
}

// Rules is the ordered list of optimizer passes.
var Rules = []Rule{
	{Name: "limit_pushdown", Apply: limitPushdown},
}

// Optimize applies every rule in order.
func Optimize(n Node) (Node, error) {
	var err error
	for _, r := range Rules {
		if n, err = r.Apply(n); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// transformUp rebuilds the tree bottom-up with f applied to every node.
func transformUp(n Node, f func(Node) (Node, error)) (Node, error) {
	ch := n.Children()
	if len(ch) > 0 {
		nc := make([]Node, len(ch))
		changed := false
		for i, c := range ch {
			r, err := transformUp(c, f)
			if err != nil {
				return nil, err
			}
			nc[i] = r
			if r != c {
				changed = true
			}
		}
		if changed {
			n = n.WithChildren(nc)
		}
	}
	return f(n)
}
