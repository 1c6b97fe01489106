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

package server

import (
	"k8s.io/apimachinery/pkg/runtime"
)

// withoutProtobuf offers every media type of the wrapped serializer except protobuf. The
// MetricSnapshot types have no generated protobuf code, so a client preferring protobuf
// (kube-controller-manager's clients, the namespace controller's metadata client) must be
// negotiated down to JSON rather than answered with an encoding error — as CRD-served APIs do.
// Request bodies of meta types (DeleteOptions) are decoded by the generic server's own meta
// codecs, so protobuf DeleteOptions keep working.
type withoutProtobuf struct {
	runtime.NegotiatedSerializer
}

func (s withoutProtobuf) SupportedMediaTypes() []runtime.SerializerInfo {
	all := s.NegotiatedSerializer.SupportedMediaTypes()
	out := make([]runtime.SerializerInfo, 0, len(all))
	for _, info := range all {
		if info.MediaType != runtime.ContentTypeProtobuf {
			out = append(out, info)
		}
	}
	return out
}
