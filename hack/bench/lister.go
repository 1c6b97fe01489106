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

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// rawLister lists a collection and reads only what it needs of the answer (the number of items and the
// continue token): decoding a thousand objects into maps costs the client more than the server, and
// would be measured instead of the server.
type rawLister struct {
	client *http.Client
	url    string
}

func newRawLister(cfg *rest.Config, gvr schema.GroupVersionResource) (rawLister, error) {
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return rawLister{}, fmt.Errorf("creating the list client: %w", err)
	}
	return rawLister{client: client,
		url: fmt.Sprintf("%s/apis/%s/%s/namespaces/%s/%s", strings.TrimSuffix(cfg.Host, "/"), gvr.Group, gvr.Version, objectsNS, gvr.Resource)}, nil
}

// list returns how many items one page holds and its continue token (limit 0: everything).
func (l rawLister) list(ctx context.Context, limit int, cont string) (int, string, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if cont != "" {
		q.Set("continue", cont)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url+"?"+q.Encode(), nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("listing %s: %w", l.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, "", fmt.Errorf("listing %s: HTTP %d", l.url, resp.StatusCode)
	}
	var page struct {
		Metadata struct {
			Continue string `json:"continue"`
		} `json:"metadata"`
		Items []struct{} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return 0, "", fmt.Errorf("reading the list of %s: %w", l.url, err)
	}
	return len(page.Items), page.Metadata.Continue, nil
}
