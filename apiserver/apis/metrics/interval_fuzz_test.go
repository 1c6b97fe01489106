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

package metrics

import (
	"testing"
	"time"
)

// FuzzInterval: an accepted interval has a canonical form that is short, parses back to the same
// duration and is its own canonical form.
//
//	go test ./apiserver/apis/metrics -run '^$' -fuzz FuzzInterval -fuzztime 30s
func FuzzInterval(f *testing.F) {
	for _, s := range []string{"1m", "60s", "1h0m0s", "0.5h60s", "10.50s", "23h59m59.999999999s", "1440m", "-1m", "1d", "1s1s1s1s1s1s1s1s1s1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		canonical := CanonicalInterval(s)
		d, err := ParseInterval(s)
		if err != nil || len(s) > MaxIntervalLength {
			if canonical != s {
				t.Fatalf("refused interval %q rewritten to %q", s, canonical)
			}
			return
		}
		back, err := time.ParseDuration(canonical)
		if err != nil || back != d || len(canonical) > len("23h59m59.999999999s") {
			t.Fatalf("%q (%s) stored as %q, which reads back as %s, %v", s, d, canonical, back, err)
		}
		if again := CanonicalInterval(canonical); again != canonical {
			t.Fatalf("%q stored as %q, then as %q", s, canonical, again)
		}
	})
}
