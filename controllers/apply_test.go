package controllers

import (
	"encoding/json"
	"testing"
)

func TestContains(t *testing.T) {
	m := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name       string
		have, want string
		ok         bool
	}{
		{"equal", `{"a":1,"b":"x"}`, `{"a":1,"b":"x"}`, true},
		{"extra fields in have (defaults, other managers)", `{"a":1,"b":"x","c":true}`, `{"a":1}`, true},
		{"changed value", `{"a":1,"b":"y"}`, `{"a":1,"b":"x"}`, false},
		{"missing non-zero field", `{"a":1}`, `{"a":1,"b":"x"}`, false},
		{"missing zero field is fine (omitempty on the server)", `{"a":1}`, `{"a":1,"skip":false}`, true},
		// Regression: a missing zero field must not end the comparison of the other fields.
		{"missing zero field and a changed field", `{"caBundle":"bad","group":"g"}`, `{"caBundle":"good","group":"g","insecureSkipTLSVerify":false}`, false},
		{"nested change", `{"spec":{"replicas":5}}`, `{"spec":{"replicas":2}}`, false},
		{"list element extra fields", `{"l":[{"n":"a","d":1}]}`, `{"l":[{"n":"a"}]}`, true},
		{"list length differs", `{"l":[{"n":"a"},{"n":"b"}]}`, `{"l":[{"n":"a"}]}`, false},
		{"empty map wanted, present", `{"emptyDir":{}}`, `{"emptyDir":{}}`, true},
		{"type differs", `{"a":"1"}`, `{"a":1}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Run several times: Go randomises map order, which once hid the regression case.
			for range 20 {
				if got := contains(m(tc.have), m(tc.want)); got != tc.ok {
					t.Fatalf("contains(%s, %s) = %v, want %v", tc.have, tc.want, got, tc.ok)
				}
			}
		})
	}
}

func TestHashIsStableAndSensitive(t *testing.T) {
	a := map[string]any{"spec": map[string]any{"x": 1.0, "y": "z"}}
	b := map[string]any{"spec": map[string]any{"y": "z", "x": 1.0}}
	c := map[string]any{"spec": map[string]any{"x": 2.0, "y": "z"}}
	if hashOf(a) != hashOf(b) {
		t.Error("hash depends on map order")
	}
	if hashOf(a) == hashOf(c) {
		t.Error("hash ignores a changed value")
	}
}
