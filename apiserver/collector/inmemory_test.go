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
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// answerFunc is what an in-memory Prometheus answers to one instant query: an HTTP status and a
// body. Pure unit tests and fuzz tests use it; the integration tests use a real Prometheus.
type answerFunc func(expr string) (int, string)

// RoundTrip answers the client's POST, and the GET it falls back to after a 405.
func (f answerFunc) RoundTrip(r *http.Request) (*http.Response, error) {
	form := r.URL.Query()
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if form, err = url.ParseQuery(string(body)); err != nil {
			return nil, err
		}
	}
	code, answer := f(form.Get("query"))
	return &http.Response{StatusCode: code, Status: http.StatusText(code), Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(answer)), Request: r}, nil
}

// querierAnswering returns a Querier whose source "prometheus" answers with f, in memory.
func querierAnswering(t testing.TB, f answerFunc) *Querier {
	client, err := promapi.NewClient(promapi.Config{Address: "http://prometheus.invalid", RoundTripper: f})
	if err != nil {
		t.Fatal(err)
	}
	return &Querier{Sources: map[string]promv1.API{"prometheus": promv1.NewAPI(client)}, Timeout: 10 * time.Second, Retain: time.Minute}
}

// vectorOf is Prometheus' answer for a one-series instant vector with value v.
func vectorOf(v string) string {
	return `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"` + v + `"]}]}}`
}

const noSeries = `{"status":"success","data":{"resultType":"vector","result":[]}}`
