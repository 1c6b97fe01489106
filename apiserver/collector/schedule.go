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

package collector

import (
	"time"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

// interval returns the snapshot's collection interval (validation guarantees it parses;
// the default covers objects written before a rule change).
func interval(s *metrics.MetricSnapshot) time.Duration {
	if d, err := metrics.ParseInterval(s.Spec.Interval); err == nil {
		return d
	}
	d, _ := metrics.ParseInterval(metrics.DefaultInterval)
	return d
}

// nextTick is the first multiple of every (counted from the Unix epoch) after now. Aligning
// ticks to the wall clock makes snapshots with the same interval evaluate at the very same
// instant, which is what lets their identical queries be shared.
func nextTick(now time.Time, every time.Duration) time.Time {
	return now.Truncate(every).Add(every)
}

// firstTick is the evaluation time of a snapshot's first collection (new object or new spec):
// now, to the second, so objects created together share queries too.
func firstTick(now time.Time) time.Time {
	return now.Truncate(time.Second)
}
