/*
Copyright 2026 The aggregation-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package validation

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/prometheus/prometheus/promql/parser"
)

// promql is Prometheus' own parser with default options: experimental functions and syntax stay
// off, as they are on a Prometheus server that has not enabled them.
var promql = parser.NewParser(parser.Options{})

// CheckExpression accepts a metric name or PromQL expression that Prometheus' parser accepts and
// whose result the collector can store: a scalar or an instant vector. It returns the parsed
// expression. Newlines and tabs are blanks in PromQL, so an expression may span lines (a YAML
// block scalar); other control characters are refused, as they are never meant.
func CheckExpression(expr string) (parser.Expr, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("must not be blank")
	}
	for _, r := range expr {
		if !unicode.IsPrint(r) && r != '\t' && r != '\n' && r != '\r' {
			return nil, fmt.Errorf("must not contain control character %q (newlines and tabs are allowed)", r)
		}
	}
	parsed, err := promql.ParseExpr(expr)
	if err != nil {
		// The parser reports only its first error, with line:column, on one line.
		return nil, err
	}
	switch parsed.Type() {
	case parser.ValueTypeScalar, parser.ValueTypeVector:
		return parsed, nil
	case parser.ValueTypeMatrix:
		return nil, errors.New("evaluates to a range vector; want a scalar or an instant vector (e.g. wrap it in rate() or last_over_time())")
	default:
		return nil, fmt.Errorf("evaluates to a %s; want a scalar or an instant vector", parsed.Type())
	}
}
