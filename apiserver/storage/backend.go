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

// Package storage chooses where MetricSnapshots live. The registry only sees a
// generic.RESTOptionsGetter, so another backend (the tutorial's "custom storage") is one more
// implementation of Backend and needs no change to the registry.
package storage

import (
	genericapiserver "k8s.io/apiserver/pkg/server"
)

// Backend wires a storage into the server configuration.
type Backend interface {
	// ApplyTo sets the config's RESTOptionsGetter and adds the health checks that keep
	// /readyz failing until the storage is reachable.
	ApplyTo(cfg *genericapiserver.Config) error
	// Close releases what the backend started; safe to call more than once.
	Close() error
}
