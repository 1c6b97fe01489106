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
	"context"
	"net"
	"testing"
)

// TestStoppableDialer: stop closes the connections it made and refuses new ones.
func TestStoppableDialer(t *testing.T) {
	l := listen(t)
	d := newStoppableDialer()
	conn, err := d.DialContext(context.Background(), "tcp", l)
	if err != nil {
		t.Fatal(err)
	}
	d.stop()
	if _, err := conn.Write([]byte("x")); err == nil {
		t.Fatal("a connection is still open after stop")
	}
	if _, err := d.DialContext(context.Background(), "tcp", l); err == nil {
		t.Fatal("dialed after stop")
	}
}

// listen accepts connections on a loopback port until the test ends and returns its address.
func listen(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 8)
	go func() {
		defer close(accepted)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		for c := range accepted {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}
