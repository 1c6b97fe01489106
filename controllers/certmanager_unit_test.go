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

package controllers

import (
	"bytes"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

// In cert-manager mode the operator re-applies the live caBundle only while it alone manages it.
func TestCABundleToKeep(t *testing.T) {
	bundle := []byte("bundle")
	entry := func(manager, fields string) metav1.ManagedFieldsEntry {
		f := &metav1.FieldsV1{}
		f.SetRawBytes([]byte(fields))
		return metav1.ManagedFieldsEntry{Manager: manager, FieldsV1: f}
	}
	withCABundle := `{"f:spec":{"f:caBundle":{},"f:group":{}}}`
	withoutCABundle := `{"f:spec":{"f:group":{}}}`
	tests := []struct {
		name     string
		live     *apiregv1.APIService
		wantKept bool
	}{
		{"no APIService yet", nil, false},
		{"no caBundle", &apiregv1.APIService{ObjectMeta: metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{entry(FieldManager, withoutCABundle)}}}, false},
		{"the operator's alone (just switched)", &apiregv1.APIService{
			ObjectMeta: metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{entry(FieldManager, withCABundle), entry("someone", withoutCABundle)}},
			Spec:       apiregv1.APIServiceSpec{CABundle: bundle}}, true},
		{"cainjector's", &apiregv1.APIService{
			ObjectMeta: metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{entry(FieldManager, withoutCABundle), entry("cert-manager-cainjector", withCABundle)}},
			Spec:       apiregv1.APIServiceSpec{CABundle: bundle}}, false},
		{"shared with cainjector", &apiregv1.APIService{
			ObjectMeta: metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{entry(FieldManager, withCABundle), entry("cert-manager-cainjector", withCABundle)}},
			Spec:       apiregv1.APIServiceSpec{CABundle: bundle}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := caBundleToKeep(tt.live)
			if kept := bytes.Equal(got, bundle); kept != tt.wantKept || (!tt.wantKept && got != nil) {
				t.Errorf("caBundleToKeep = %q, want kept=%v", got, tt.wantKept)
			}
		})
	}
}
