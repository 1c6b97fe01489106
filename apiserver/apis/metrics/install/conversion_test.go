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

package install

import (
	"math/rand"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/apitesting/fuzzer"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metafuzzer "k8s.io/apimachinery/pkg/apis/meta/fuzzer"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	metricsfuzzer "example.com/aggregation-operator/apiserver/apis/metrics/fuzzer"
	v1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	v2 "example.com/aggregation-operator/apiserver/apis/metrics/v2"
)

// TestConversionBetweenVersions writes random objects in one version, reads them in the other and
// writes them back, through JSON and the internal version each way (what a client reading with v2
// and updating with v1 makes the server do), and fails when anything changed: v1 -> v2 -> v1 and
// v2 -> v1 -> v2. TestRoundTripTypes covers internal -> v1 -> internal and internal -> v2 -> internal.
func TestConversionBetweenVersions(t *testing.T) {
	scheme := runtime.NewScheme()
	Install(scheme)
	codecs := serializer.NewCodecFactory(scheme)
	f := fuzzer.FuzzerFor(fuzzer.MergeFuzzerFuncs(metafuzzer.Funcs, metricsfuzzer.Funcs), rand.NewSource(rand.Int63()), codecs)
	for _, tc := range []struct {
		from, to schema.GroupVersion
		new      func() runtime.Object
	}{
		{v1.SchemeGroupVersion, v2.SchemeGroupVersion, func() runtime.Object { return &v1.MetricSnapshot{} }},
		{v2.SchemeGroupVersion, v1.SchemeGroupVersion, func() runtime.Object { return &v2.MetricSnapshot{} }},
	} {
		t.Run(tc.from.Version+"-"+tc.to.Version+"-"+tc.from.Version, func(t *testing.T) {
			for range 500 {
				original := tc.new()
				f.Fill(original)
				original.GetObjectKind().SetGroupVersionKind(tc.from.WithKind("MetricSnapshot"))
				through := reencode(t, scheme, codecs, reencode(t, scheme, codecs, original, tc.to), tc.from)
				if !apiequality.Semantic.DeepEqual(original, through) {
					t.Fatalf("%s changed on the way through %s:\n%s", tc.from, tc.to, cmp.Diff(original, through))
				}
			}
		})
	}
}

// reencode encodes obj as JSON in its own version, decodes it to the internal version (with the
// defaults of that version) and returns it converted to gv.
func reencode(t *testing.T, scheme *runtime.Scheme, codecs serializer.CodecFactory, obj runtime.Object, gv schema.GroupVersion) runtime.Object {
	t.Helper()
	data, err := runtime.Encode(codecs.LegacyCodec(obj.GetObjectKind().GroupVersionKind().GroupVersion()), obj)
	if err != nil {
		t.Fatalf("encoding %T: %v", obj, err)
	}
	internal, err := runtime.Decode(codecs.UniversalDecoder(), data)
	if err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	out, err := scheme.ConvertToVersion(internal, gv)
	if err != nil {
		t.Fatalf("converting to %s: %v", gv, err)
	}
	return out
}
