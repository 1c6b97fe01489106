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
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultInterval is what every version defaults an empty spec.interval to. Bounds of spec.interval: faster than 10s hammers Prometheus, slower than a day is not a snapshot.
// MaxIntervalLength bounds the text before it is parsed: the longest canonical form
// ("23h59m59.999999999s") is 19 bytes, so 32 leaves room for forms such as "1440m" or "86400s" while
// "1s" repeated 5000 times (a valid 1h23m20s) is refused as too long instead of being stored.
const (
	DefaultInterval   = "1m"
	MinInterval       = 10 * time.Second
	MaxInterval       = 24 * time.Hour
	MaxIntervalLength = 32
)

// ParseInterval reads spec.interval: a Go duration from MinInterval to MaxInterval. Validation
// and the collector both read it here, so what is accepted is what is collected.
func ParseInterval(interval string) (time.Duration, error) {
	d, err := time.ParseDuration(interval)
	if err != nil {
		return 0, errors.New("must be a duration such as 30s or 5m")
	}
	if d < MinInterval || d > MaxInterval {
		return 0, fmt.Errorf("must be between %s and %s", FormatInterval(MinInterval), FormatInterval(MaxInterval))
	}
	return d, nil
}

// FormatInterval is the canonical form of an interval, the one stored: hours, minutes and seconds
// with zero parts left out, so the forms people write most ("30s", "1m", "5m", "1h") stay as they
// are, and "60s", "1m0s" and "0.5h60s" are all stored as "1m" and "31m".
func FormatInterval(d time.Duration) string {
	if d <= 0 {
		return d.String()
	}
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "h")
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "m")
		d -= m * time.Minute
	}
	if d > 0 {
		b.WriteString(strconv.FormatInt(int64(d/time.Second), 10))
		if frac := d % time.Second; frac > 0 {
			b.WriteString("." + strings.TrimRight(fmt.Sprintf("%09d", int64(frac)), "0"))
		}
		b.WriteString("s")
	}
	return b.String()
}

// CanonicalInterval returns the stored form of an interval the validation accepts, and the text
// unchanged otherwise (validation then refuses it with the reason).
func CanonicalInterval(interval string) string {
	if len(interval) > MaxIntervalLength {
		return interval
	}
	d, err := ParseInterval(interval)
	if err != nil {
		return interval
	}
	return FormatInterval(d)
}
