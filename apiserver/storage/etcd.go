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

package storage

import (
	"fmt"

	genericapiserver "k8s.io/apiserver/pkg/server"
	genericoptions "k8s.io/apiserver/pkg/server/options"
)

// Etcd stores objects in an etcd cluster reached through --etcd-servers (and the other --etcd-* flags).
type Etcd struct {
	Options *genericoptions.EtcdOptions
}

var _ Backend = &Etcd{}

// ApplyTo configures etcd3 storage and its readiness check.
func (e *Etcd) ApplyTo(cfg *genericapiserver.Config) error {
	if err := e.Options.ApplyTo(cfg); err != nil {
		return fmt.Errorf("configuring etcd storage %v: %w", e.Options.StorageConfig.Transport.ServerList, err)
	}
	return nil
}

// Close does nothing: the etcd cluster is not ours.
func (e *Etcd) Close() error { return nil }
