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
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// LocalStorageClass is the StorageClass of the local PersistentVolumes the harness makes: no provisioner, so
// claims bind only to those volumes, and only once a pod is scheduled (WaitForFirstConsumer), as a real
// local-volume setup does.
const LocalStorageClass = "aggop-local"

// volumeOwner owns each volume's directory: the non-root uid the operator's pods run as, so a pod writes
// to it whether or not the volume plugin applies fsGroup.
const volumeOwner = 65532

// LocalVolumes are PersistentVolumes made for one test; Remove deletes them and their directories.
type LocalVolumes struct {
	c     Config
	names []string
}

// MakeLocalVolumes makes the StorageClass (once) and count fresh local PersistentVolumes of size (e.g.
// "1Gi") named <prefix>-<i>, each a new directory under the state dir (<state>/volumes, which Down removes
// with the rest). The reclaim policy is Retain and Remove deletes them, so no volume is ever handed to a
// second claim with a first claim's data in it.
func (c Config) MakeLocalVolumes(ctx context.Context, prefix string, count int, size string) (*LocalVolumes, error) {
	v := &LocalVolumes{c: c}
	manifests := []string{fmt.Sprintf(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: %s
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
`, LocalStorageClass)}
	for i := range count {
		name := fmt.Sprintf("%s-%d", prefix, i)
		dir := c.path("volumes", name)
		if err := os.RemoveAll(dir); err != nil {
			return v, fmt.Errorf("clearing volume directory %s: %w", dir, err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return v, fmt.Errorf("making volume directory %s: %w", dir, err)
		}
		if err := os.Chown(dir, volumeOwner, volumeOwner); err != nil {
			return v, fmt.Errorf("handing volume directory %s to uid %d: %w", dir, volumeOwner, err)
		}
		v.names = append(v.names, name)
		manifests = append(manifests, fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata:
  name: %s
  labels: {aggregation.example.com/e2e-volume: %q}
spec:
  capacity: {storage: %s}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: %s
  volumeMode: Filesystem
  local: {path: %s}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [%s]}
`, name, prefix, size, LocalStorageClass, dir, c.NodeName))
	}
	if _, err := c.KubectlOutput(ctx, strings.Join(manifests, "---\n"), "apply", "--server-side", "-f", "-"); err != nil {
		return v, fmt.Errorf("making local PersistentVolumes %s-*: %w", prefix, err)
	}
	return v, nil
}

// Remove deletes the volumes (once their claims are gone: a bound volume waits for its claim), their
// directories and the StorageClass.
func (v *LocalVolumes) Remove(ctx context.Context) error {
	if v == nil {
		return nil
	}
	var errs []error
	if _, err := v.c.KubectlOutput(ctx, "", append([]string{"delete", "pv", "--ignore-not-found", "--wait=true", "--timeout=90s"}, v.names...)...); err != nil {
		errs = append(errs, err)
	}
	if _, err := v.c.KubectlOutput(ctx, "", "delete", "storageclass", LocalStorageClass, "--ignore-not-found"); err != nil {
		errs = append(errs, err)
	}
	for _, name := range v.names {
		if err := os.RemoveAll(v.c.path("volumes", name)); err != nil {
			errs = append(errs, fmt.Errorf("removing volume directory: %w", err))
		}
	}
	return errors.Join(errs...)
}
