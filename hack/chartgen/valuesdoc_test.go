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
	"strings"
	"testing"
)

func TestValuesReference(t *testing.T) {
	const schemaJSON = `{"type": "object", "properties": {
		"image": {"type": "object", "description": "d", "properties": {
			"tag": {"type": "string", "description": "Image tag; empty | appVersion."},
			"pullPolicy": {"type": "string", "enum": ["Always", "Never"], "description": "Policy."}}},
		"replicas": {"type": "integer", "minimum": 1, "maximum": 10, "description": "Replicas."},
		"resources": {"type": "object", "description": "Resources.", "properties": {"limits": {"type": "object"}}},
		"logLevel": {"description": "Level.", "oneOf": [{"type": "string", "enum": ["info"]}, {"type": "integer", "minimum": 1}]}}}`
	const values = "replicas: 1\nimage:\n  tag: \"\"\n  pullPolicy: Never\nresources:\n  limits: {memory: 1Gi}\nlogLevel: info\n"
	got, err := valuesReference([]byte(schemaJSON), []byte(values))
	if err != nil {
		t.Fatal(err)
	}
	want := "| Value | Type | Default | Description |\n|---|---|---|---|\n" +
		"| `replicas` | integer 1-10 | `1` | Replicas. |\n" +
		"| `image.tag` | string | `\"\"` | Image tag; empty \\| appVersion. |\n" +
		"| `image.pullPolicy` | `Always`, `Never` | `Never` | Policy. |\n" +
		"| `resources` | object | `{\"limits\":{\"memory\":\"1Gi\"}}` | Resources. |\n" +
		"| `logLevel` | `info` or integer >= 1 | `info` | Level. |\n"
	if got != want {
		t.Errorf("reference:\n%s\nwant:\n%s", got, want)
	}
}

func TestValuesReferenceRefusesGaps(t *testing.T) {
	const schemaJSON = `{"type": "object", "properties": {
		"a": {"type": "string", "description": "A."},
		"b": {"type": "string", "description": "B."},
		"c": {"type": "string"}}}`
	for _, tc := range []struct{ values, want string }{
		{"a: x\nb: y\nz: 1\n", "values.yaml sets z, which values.schema.json does not describe"},
		{"a: x\n", "values.schema.json describes b, c, which values.yaml does not set"},
		{"a: x\nb: y\nc: z\n", "no description for c"},
	} {
		_, err := valuesReference([]byte(schemaJSON), []byte(tc.values))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("values %q: error %v, want it to say %q", tc.values, err, tc.want)
		}
	}
}

func TestSpliceReference(t *testing.T) {
	readme := "intro\n" + referenceBegin + "\nold table\n" + referenceEnd + "\nafter\n"
	got, err := spliceReference(readme, "new table\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n" + referenceBegin + "\nnew table\n" + referenceEnd + "\nafter\n"; got != want {
		t.Errorf("spliced:\n%s\nwant:\n%s", got, want)
	}
	if _, err := spliceReference("no markers", "x"); err == nil {
		t.Error("a README without markers was accepted")
	}
}
