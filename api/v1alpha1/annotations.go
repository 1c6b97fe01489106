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

package v1alpha1

// Annotations a user sets on a CustomApiServer to ask for a one-off action, as `cmctl renew` does for
// cert-manager. The value is free text (a timestamp is customary); each new value is acted on once, and
// status.certificates records the last value handled.
const (
	// AnnotationRenewServingCert renews the serving certificate (same CA).
	AnnotationRenewServingCert = "aggregation.example.com/renew-serving-cert"
	// AnnotationRotateCA makes a new self-signed CA, with the same ordering as a scheduled rotation.
	AnnotationRotateCA = "aggregation.example.com/rotate-ca"
)

// AnnotationAdoptedFrom is set by the operator on an APIService it adopted (spec.apiServices[].adopt), naming
// who it belonged to; status.apiServices[].adoptedFrom mirrors it.
const AnnotationAdoptedFrom = "aggregation.example.com/adopted-from"
