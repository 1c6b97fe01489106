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
	"strings"
	"testing"
	"time"
)

func TestCanonicalInterval(t *testing.T) {
	for in, want := range map[string]string{
		"30s":                 "30s",
		"1m":                  "1m",
		"60s":                 "1m",
		"1m0s":                "1m",
		"90s":                 "1m30s",
		"1h0m0s":              "1h",
		"0.5h60s":             "31m",
		"3600s":               "1h",
		"1440m":               "24h",
		"10.50s":              "10.5s",
		"1h10s":               "1h10s",
		"23h59m59.999999999s": "23h59m59.999999999s",
		"10000ms":             "10s",
		// Refused by validation: left as they are, so the error shows what was sent.
		"5s":                       "5s",
		"often":                    "often",
		strings.Repeat("1s", 5000): strings.Repeat("1s", 5000),
	} {
		if got := CanonicalInterval(in); got != want {
			t.Errorf("CanonicalInterval(%.40q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatIntervalRoundTrips(t *testing.T) {
	for _, d := range []time.Duration{MinInterval, MaxInterval, time.Hour + time.Nanosecond, 61*time.Minute + 500*time.Millisecond} {
		back, err := time.ParseDuration(FormatInterval(d))
		if err != nil || back != d {
			t.Errorf("%s formats as %q, which parses as %s, %v", d, FormatInterval(d), back, err)
		}
	}
}
