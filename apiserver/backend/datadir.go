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

package backend

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"go.etcd.io/etcd/client/pkg/v3/fileutil"
)

const (
	// lockFile, held while a server uses the data dir. etcd's own lock on its database makes a
	// second server wait for it forever, silently; this one is tried without waiting.
	lockFile = "apiserver.lock"
	// socketDir holds etcd's client socket, mode 0700: only this user may connect or replace the
	// socket, whatever the data dir's mode (an emptyDir is 0777).
	socketDir  = "sockets"
	socketName = "etcd.sock"
	// maxSocketPath is the longest unix socket path every system takes (sun_path holds it and a
	// NUL: 108 bytes on Linux, 104 on macOS and the BSDs).
	maxSocketPath = 103
)

// ErrDataDirInUse is returned when another server holds the data dir.
var ErrDataDirInUse = errors.New("in use by another server")

// dataDir is an embedded etcd's data dir, locked for this process.
type dataDir struct {
	path string
	lock *fileutil.LockedFile
	// sockets is the socket dir held open when its path is too long for a socket: the socket is
	// then reached through /proc/self/fd (Linux), a path only this process resolves.
	sockets *os.File
}

// openDataDir creates path if needed, locks it and prepares the socket directory.
func openDataDir(path string) (*dataDir, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolving data dir %s: %w", path, err)
	}
	d := &dataDir{path: path}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("creating data dir %s: %w", path, err)
	}
	lockPath := filepath.Join(path, lockFile)
	d.lock, err = fileutil.TryLockFile(lockPath, os.O_WRONLY|os.O_CREATE, 0o600)
	if errors.Is(err, fileutil.ErrLocked) {
		return nil, fmt.Errorf("data dir %s: %w (%s is locked)", path, ErrDataDirInUse, lockPath)
	}
	if err != nil {
		return nil, fmt.Errorf("locking data dir %s: %w", path, err)
	}
	sockets := filepath.Join(path, socketDir)
	err = os.MkdirAll(sockets, 0o700)
	if err == nil {
		err = os.Chmod(sockets, 0o700)
	}
	if err != nil {
		d.close()
		return nil, fmt.Errorf("creating socket dir %s: %w", sockets, err)
	}
	if err := d.shortenSocketPath(); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// shortenSocketPath holds the socket dir open when the socket's path is too long to bind.
func (d *dataDir) shortenSocketPath() error {
	long := filepath.Join(d.path, socketDir, socketName)
	if len(long) <= maxSocketPath {
		return nil
	}
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		return fmt.Errorf("data dir %s is too long: etcd's socket %s would be %d bytes, unix sockets take at most %d",
			d.path, long, len(long), maxSocketPath)
	}
	f, err := os.Open(filepath.Dir(long))
	if err != nil {
		return fmt.Errorf("opening socket dir: %w", err)
	}
	d.sockets = f
	return nil
}

// socketPath is where the socket name (etcd's or kine's, both as long) is bound.
func (d *dataDir) socketPath(name string) string {
	if d.sockets != nil {
		return fmt.Sprintf("/proc/self/fd/%d/%s", d.sockets.Fd(), name)
	}
	return filepath.Join(d.path, socketDir, name)
}

// clientURL is etcd's client endpoint, unix:///<socket path>.
func (d *dataDir) clientURL() url.URL { return url.URL{Scheme: "unix", Path: d.socketPath(socketName)} }

// close releases the lock (the lock file stays: removing it would race with a new holder).
func (d *dataDir) close() {
	if d.sockets != nil {
		_ = d.sockets.Close()
		d.sockets = nil
	}
	if d.lock != nil {
		_ = d.lock.Close()
		d.lock = nil
	}
}
