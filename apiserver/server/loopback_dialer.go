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
	"errors"
	"net"
	"sync"
)

// errDialerStopped is returned for dials after stop.
var errDialerStopped = errors.New("the server is stopping: no new loopback connections")

// stoppableDialer dials TCP connections and, on stop, closes all it made and refuses new ones.
// A dial under way when stop is called is closed as it completes.
type stoppableDialer struct {
	dialer  net.Dialer
	mu      sync.Mutex
	stopped bool
	conns   map[*trackedConn]struct{}
}

func newStoppableDialer() *stoppableDialer {
	return &stoppableDialer{conns: map[*trackedConn]struct{}{}}
}

// DialContext has the signature of rest.Config's Dial.
func (d *stoppableDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if d.isStopped() {
		return nil, errDialerStopped
	}
	conn, err := d.dialer.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		_ = conn.Close()
		return nil, errDialerStopped
	}
	tracked := &trackedConn{Conn: conn, dialer: d}
	d.conns[tracked] = struct{}{}
	return tracked, nil
}

func (d *stoppableDialer) isStopped() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stopped
}

// stop closes every open connection and refuses new ones.
func (d *stoppableDialer) stop() {
	d.mu.Lock()
	d.stopped = true
	conns := d.conns
	d.conns = map[*trackedConn]struct{}{}
	d.mu.Unlock()
	for c := range conns {
		_ = c.Conn.Close()
	}
}

// trackedConn forgets itself when closed.
type trackedConn struct {
	net.Conn
	dialer *stoppableDialer
}

func (c *trackedConn) Close() error {
	c.dialer.mu.Lock()
	delete(c.dialer.conns, c)
	c.dialer.mu.Unlock()
	return c.Conn.Close()
}
