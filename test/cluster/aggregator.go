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

package cluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"example.com/aggregation-operator/internal/poll"
)

// aggregatorRoutingFlag is kube-apiserver's choice of route to an aggregated API server: true sends each
// request to an endpoint IP of the APIService's Service itself, false to the Service's ClusterIP (through
// kube-proxy), the default of kube-apiserver and of most clusters.
const aggregatorRoutingFlag = "--enable-aggregator-routing"

// AggregatorRouting reports the --enable-aggregator-routing of the running kube-apiserver.
func (c Config) AggregatorRouting() (bool, error) {
	args, err := c.apiserverArgs()
	if err != nil {
		return false, err
	}
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, aggregatorRoutingFlag+"="); ok {
			return strconv.ParseBool(v)
		}
	}
	return false, nil
}

// SetAggregatorRouting restarts kube-apiserver with --enable-aggregator-routing=on and every other flag as
// it runs now, and waits until it is ready. The log of the previous run is kept as kube-apiserver.<unix>.log.
func (c Config) SetAggregatorRouting(ctx context.Context, on bool) error {
	args, err := c.apiserverArgs()
	if err != nil {
		return err
	}
	var next []string
	for _, a := range args {
		if !strings.HasPrefix(a, aggregatorRoutingFlag) {
			next = append(next, a)
		}
	}
	next = append(next, aggregatorRoutingFlag+"="+strconv.FormatBool(on))
	if err := c.stop("kube-apiserver", 30*time.Second); err != nil {
		return err
	}
	_ = os.Rename(c.logFile("kube-apiserver"), c.path("logs", fmt.Sprintf("kube-apiserver.%d.log", time.Now().Unix())))
	if err := c.start("kube-apiserver", c.bin("kube-apiserver"), next...); err != nil {
		return err
	}
	client, err := c.adminHTTPClient()
	if err != nil {
		return err
	}
	return poll.Until(ctx, "kube-apiserver /readyz after the restart", 90*time.Second, poll.HTTPOK(client, c.APIServerURL()+"/readyz"))
}

// apiserverArgs are the flags of the running kube-apiserver (its /proc cmdline, without the binary).
func (c Config) apiserverArgs() ([]string, error) {
	pid, ok := c.running("kube-apiserver")
	if !ok {
		return nil, fmt.Errorf("kube-apiserver is not running")
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return nil, fmt.Errorf("reading the flags of kube-apiserver: %w", err)
	}
	parts := strings.Split(string(bytes.TrimRight(raw, "\x00")), "\x00")
	return parts[1:], nil
}
