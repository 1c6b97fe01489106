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
	"fmt"
	"strings"
)

// SignalContainer sends signal (SIGKILL, SIGSTOP, ...) to the main process of a container, as an OOM kill
// or a crash would end it: the kubelet then restarts the container in the same pod, its emptyDir volumes
// kept. containerID is the pod status' containerID (containerd://<id>).
func (c Config) SignalContainer(ctx context.Context, containerID, signal string) error {
	id, ok := strings.CutPrefix(containerID, "containerd://")
	if !ok || id == "" {
		return fmt.Errorf("container ID %q is not containerd's", containerID)
	}
	_, err := run(ctx, "ctr", "--address", c.containerdSock(), "-n", "k8s.io", "tasks", "kill", "--signal", signal, id)
	return err
}
