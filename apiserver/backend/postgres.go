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
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/k3s-io/kine/pkg/drivers"
	// Only kine's PostgreSQL driver: kine's endpoint package would link all of them (sqlite needs cgo).
	_ "github.com/k3s-io/kine/pkg/drivers/pgsql"
	"github.com/k3s-io/kine/pkg/server"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
)

const (
	kineSocketName = "kine.sock"
	// watchProgressInterval and emulatedEtcdVersion are kine's own defaults (k3s runs them): the
	// version tells k8s.io/apiserver the store sends watch progress notifications.
	watchProgressInterval = 5 * time.Second
	emulatedEtcdVersion   = "3.6.11"
	// compactInterval: kine compacts old revisions itself (k8s.io/apiserver's compaction through
	// the etcd API is not what kine serves); k3s's interval.
	compactInterval = 5 * time.Minute
	compactTimeout  = 5 * time.Second
	// compactMinRetain revisions stay, as in k3s, so a watch from a recent resourceVersion resumes.
	compactMinRetain = 1000
	compactBatchSize = 1000
	pollBatchSize    = 500
	// kineStopTimeout bounds the graceful stop of kine's gRPC server (open watches end then).
	kineStopTimeout = 2 * time.Second
)

// ErrBadDSN is returned for a DSN that is not a postgres:// or postgresql:// URL.
var ErrBadDSN = errors.New("not a PostgreSQL URL")

// Postgres is kine, k3s's etcd API over SQL, inside the process, keeping objects in a PostgreSQL
// database. Like EmbeddedEtcd, its only listener is a unix socket in a directory only this user
// may enter: kine serves the etcd API without authentication to whoever reaches it.
type Postgres struct {
	// URL is the etcd endpoint the storage is pointed at: unix://<socket path>.
	URL    string
	grpc   *grpc.Server
	cancel context.CancelFunc
	wg     *sync.WaitGroup
	dir    *dataDir
	once   sync.Once
}

// ValidateDSN checks that dsn is a PostgreSQL URL without repeating it: it holds a password.
func ValidateDSN(dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("%w: it does not parse as a URL", ErrBadDSN)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("%w: the scheme is %q, want postgres:// or postgresql://", ErrBadDSN, u.Scheme)
	}
	if u.Host == "" && u.Query().Get("host") == "" {
		return fmt.Errorf("%w: it names no host", ErrBadDSN)
	}
	return nil
}

// StartPostgres connects kine to the database dsn names (creating the database and kine's table
// when missing) and serves the etcd API on a socket in dir. It returns once kine serves, or
// fails when the database stays unreachable until ctx ends.
func StartPostgres(ctx context.Context, dsn, dir string) (*Postgres, error) {
	if err := ValidateDSN(dsn); err != nil {
		return nil, err
	}
	d, err := openDataDir(dir)
	if err != nil {
		return nil, err
	}
	// kine logs through logrus; its startup chatter is not for users of this server.
	logrus.SetLevel(logrus.WarnLevel)
	bctx, cancel := context.WithCancel(context.Background())
	p := &Postgres{cancel: cancel, wg: &sync.WaitGroup{}, dir: d}
	stopOnCtx := context.AfterFunc(ctx, cancel) // kine retries an unreachable database for minutes
	defer stopOnCtx()
	if err := p.start(bctx, dsn); err != nil {
		p.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("starting kine on PostgreSQL: %w", ctx.Err())
		}
		return nil, err
	}
	return p, nil
}

func (p *Postgres) start(ctx context.Context, dsn string) error {
	_, store, err := drivers.New(ctx, p.wg, &drivers.Config{
		Endpoint:         dsn,
		CompactInterval:  compactInterval,
		CompactTimeout:   compactTimeout,
		CompactMinRetain: compactMinRetain,
		CompactBatchSize: compactBatchSize,
		PollBatchSize:    pollBatchSize,
	})
	if err != nil {
		// pgx's errors name the host and user, never the password.
		return fmt.Errorf("connecting kine to PostgreSQL: %w", err)
	}
	if err := store.Start(ctx); err != nil {
		return fmt.Errorf("starting kine on PostgreSQL: %w", err)
	}
	socket := p.dir.socketPath(kineSocketName)
	if err := os.Remove(socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing kine's old socket %s: %w", socket, err)
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "unix", socket)
	if err != nil {
		return fmt.Errorf("listening on kine's socket %s: %w", socket, err)
	}
	p.grpc = grpc.NewServer()
	server.New(store, "unix", watchProgressInterval, emulatedEtcdVersion).Register(p.grpc)
	p.wg.Go(func() { _ = p.grpc.Serve(l) })
	p.URL = (&url.URL{Scheme: "unix", Path: socket}).String()
	return nil
}

// Close stops serving (open watches end), closes the database connections and releases the
// socket directory; later calls do nothing.
func (p *Postgres) Close() {
	p.once.Do(func() {
		if p.grpc != nil {
			stop := time.AfterFunc(kineStopTimeout, p.grpc.Stop)
			p.grpc.GracefulStop()
			stop.Stop()
		}
		p.cancel()
		p.wg.Wait()
		p.dir.close()
	})
}
