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
	"time"
)

// Bounds of spec.interval: faster than 10s hammers Prometheus, slower than a day is not a snapshot.
const (
	MinInterval = 10 * time.Second
	MaxInterval = 24 * time.Hour
)

// ParseInterval reads spec.interval: a Go duration from MinInterval to MaxInterval. Validation
// and the collector both read it here, so what is accepted is what is collected.
func ParseInterval(interval string) (time.Duration, error) {
	d, err := time.ParseDuration(interval)
	if err != nil {
		return 0, errors.New("must be a duration such as 30s or 5m")
	}
	if d < MinInterval || d > MaxInterval {
		return 0, fmt.Errorf("must be between %s and %s", MinInterval, MaxInterval)
	}
	return d, nil
}
