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
	"regexp"
	"strings"
	"unicode"
)

// metricName is Prometheus' metric name syntax.
var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// CheckExpression accepts a metric name or something shaped like a PromQL expression:
// printable, with balanced (), [], {} and closed string literals. It is a syntax guard that gives
// a field error at write time; Prometheus remains the judge of semantics, and an expression it
// rejects shows up in the Collected condition. (The full PromQL parser lives in
// github.com/prometheus/prometheus, a dependency far too large for this check.)
func CheckExpression(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return errors.New("must not be blank")
	}
	if metricName.MatchString(expr) {
		return nil
	}
	for _, r := range expr {
		if !unicode.IsPrint(r) && r != '\t' {
			return fmt.Errorf("must not contain control character %q", r)
		}
	}
	if !strings.ContainsFunc(expr, func(r rune) bool { return unicode.IsLetter(r) || r == '_' || unicode.IsDigit(r) }) {
		return errors.New("must contain a metric name, function or number")
	}
	return checkBalanced(expr)
}

// checkBalanced walks the expression once, skipping string literals, and matches brackets.
func checkBalanced(expr string) error {
	closing := map[rune]rune{')': '(', ']': '[', '}': '{'}
	var stack []rune
	var quote rune
	escaped := false
	for i, r := range expr {
		if quote != 0 {
			switch {
			case escaped:
				escaped = false
			case r == '\\' && quote != '`':
				escaped = true
			case r == quote:
				quote = 0
			}
			continue
		}
		switch r {
		case '"', '\'', '`':
			quote = r
		case '(', '[', '{':
			stack = append(stack, r)
		case ')', ']', '}':
			if len(stack) == 0 || stack[len(stack)-1] != closing[r] {
				return fmt.Errorf("unexpected %q at offset %d", r, i)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if quote != 0 {
		return fmt.Errorf("unterminated string literal starting with %q", quote)
	}
	if len(stack) > 0 {
		return fmt.Errorf("unclosed %q", stack[len(stack)-1])
	}
	return nil
}
