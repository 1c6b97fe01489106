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
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"example.com/aggregation-operator/apiserver/backend"
)

// Storage backends (--storage-backend).
const (
	// BackendEtcd is etcd: --etcd-servers, or the embedded etcd without them.
	BackendEtcd = "etcd"
	// backendEtcd3 is k8s.io/apiserver's name for etcd, taken too.
	backendEtcd3 = "etcd3"
	// BackendPostgres is PostgreSQL through kine, with the DSN from --postgres-dsn-file or PostgresDSNEnv.
	BackendPostgres = "postgres"
	// PostgresDSNEnv holds the DSN when --postgres-dsn-file is not given.
	PostgresDSNEnv = "POSTGRES_DSN"
)

// storageOptions choose where objects are kept.
type storageOptions struct {
	// Backend is --storage-backend.
	Backend string
	// PostgresDSNFile is --postgres-dsn-file: a file holding the DSN (a mounted Secret's key).
	PostgresDSNFile string
	// postgresDSN is read by complete, from PostgresDSNFile or else PostgresDSNEnv. Never logged:
	// it holds the password.
	postgresDSN string
}

func (s *storageOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.Backend, "storage-backend", BackendEtcd, "Where MetricSnapshots are kept: "+BackendEtcd+
		" (--etcd-servers, or an embedded etcd without them) or "+BackendPostgres+
		" (a PostgreSQL database through kine; DSN from --postgres-dsn-file or $"+PostgresDSNEnv+").")
	fs.StringVar(&s.PostgresDSNFile, "postgres-dsn-file", "", "File holding the PostgreSQL URL "+
		"(postgres://user:password@host:5432/database?sslmode=...) for --storage-backend="+BackendPostgres+
		"; it wins over $"+PostgresDSNEnv+".")
}

// postgres reports whether objects are kept in PostgreSQL.
func (s *storageOptions) postgres() bool { return s.Backend == BackendPostgres }

// complete reads the DSN of the postgres backend: the file wins over the environment.
func (s *storageOptions) complete() error {
	if !s.postgres() {
		return nil
	}
	if s.PostgresDSNFile == "" {
		s.postgresDSN = strings.TrimSpace(os.Getenv(PostgresDSNEnv))
		return nil
	}
	b, err := os.ReadFile(s.PostgresDSNFile)
	if err != nil {
		return fmt.Errorf("--postgres-dsn-file: reading the DSN: %w", err)
	}
	s.postgresDSN = strings.TrimSpace(string(b))
	return nil
}

// validate checks the completed storage options; etcdServers are --etcd-servers.
func (s *storageOptions) validate(etcdServers []string) []error {
	switch s.Backend {
	case BackendEtcd, backendEtcd3:
		if s.PostgresDSNFile != "" {
			return []error{fmt.Errorf("--postgres-dsn-file needs --storage-backend=%s", BackendPostgres)}
		}
		return nil
	case BackendPostgres:
	default:
		return []error{fmt.Errorf("--storage-backend=%q: allowed values are %s (default; or %s) and %s", s.Backend, BackendEtcd, backendEtcd3, BackendPostgres)}
	}
	var errs []error
	if len(etcdServers) > 0 {
		errs = append(errs, fmt.Errorf("--etcd-servers is for --storage-backend=%s; --storage-backend=%s keeps objects in PostgreSQL", BackendEtcd, BackendPostgres))
	}
	source := "$" + PostgresDSNEnv
	if s.PostgresDSNFile != "" {
		source = "--postgres-dsn-file " + s.PostgresDSNFile
	}
	switch err := backend.ValidateDSN(s.postgresDSN); {
	case s.postgresDSN == "":
		errs = append(errs, fmt.Errorf("--storage-backend=%s needs a DSN: give --postgres-dsn-file or set $%s (%s is empty)",
			BackendPostgres, PostgresDSNEnv, source))
	case err != nil:
		errs = append(errs, fmt.Errorf("the DSN in %s: %w", source, err))
	}
	return errs
}
