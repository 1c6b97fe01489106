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

package testutil

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// tcpListen is the state of a listening socket in /proc/net/tcp{,6}.
const tcpListen = "0A"

// ListeningTCPPorts returns the ports of the TCP sockets process pid listens on (0 for this
// process), sorted, read from /proc: its socket file descriptors matched against the listening
// sockets of its network namespace. Linux only.
func ListeningTCPPorts(t testing.TB, pid int) []int {
	t.Helper()
	proc := "/proc/self"
	if pid != 0 {
		proc = "/proc/" + strconv.Itoa(pid)
	}
	inodes := socketInodes(t, proc)
	var ports []int
	for _, table := range []string{"net/tcp", "net/tcp6"} {
		for inode, port := range listeningSockets(t, filepath.Join(proc, table)) {
			if inodes[inode] {
				ports = append(ports, port)
			}
		}
	}
	slices.Sort(ports)
	return ports
}

// socketInodes are the inodes of the sockets among proc's file descriptors.
func socketInodes(t testing.TB, proc string) map[string]bool {
	t.Helper()
	fds, err := os.ReadDir(filepath.Join(proc, "fd"))
	if err != nil {
		t.Fatalf("listing the file descriptors of %s: %v", proc, err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		// A descriptor closed since ReadDir has no link any more: skip it.
		link, err := os.Readlink(filepath.Join(proc, "fd", fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	return inodes
}

// listeningSockets maps inode -> local port of the listening sockets in a /proc/net/tcp table.
func listeningSockets(t testing.TB, table string) map[string]int {
	t.Helper()
	f, err := os.Open(table)
	if err != nil {
		t.Fatalf("reading %s: %v", table, err)
	}
	defer func() { _ = f.Close() }()
	sockets := map[string]int{}
	lines := bufio.NewScanner(f)
	lines.Scan() // header
	for lines.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
		fields := strings.Fields(lines.Text())
		if len(fields) < 10 || fields[3] != tcpListen {
			continue
		}
		_, hexPort, _ := strings.Cut(fields[1], ":")
		port, err := strconv.ParseInt(hexPort, 16, 32)
		if err != nil {
			t.Fatalf("%s: local address %q: %v", table, fields[1], err)
		}
		sockets[fields[9]] = int(port)
	}
	if err := lines.Err(); err != nil {
		t.Fatalf("reading %s: %v", table, err)
	}
	return sockets
}
