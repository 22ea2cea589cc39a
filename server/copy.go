package server

import "github.com/lakeq/lakeq/parser"

// copyStatement runs COPY … FROM STDIN / TO STDOUT over the connection;
// false when st is not such a COPY.
func (c *conn) copyStatement(st parser.Statement) bool { return false }
