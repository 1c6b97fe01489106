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
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStorageOptions(t *testing.T) {
	const secret = "s3cr3t-pw"
	dsn := "postgres://app:" + secret + "@db.example:5432/metrics?sslmode=verify-full"
	file := filepath.Join(t.TempDir(), "dsn")
	if err := os.WriteFile(file, []byte(dsn+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		env     string
		args    []string
		wantDSN string
		wantErr []string // every string must be in the error
	}{
		{name: "etcd by default"},
		{name: "etcd3, k8s.io/apiserver's name", args: []string{"--storage-backend=etcd3", "--etcd-servers=http://etcd:2379"}},
		{name: "postgres from the file", env: "postgres://env@elsewhere/db", args: []string{"--storage-backend=postgres", "--postgres-dsn-file=" + file}, wantDSN: dsn},
		{name: "postgres from the environment", env: dsn, args: []string{"--storage-backend=postgres"}, wantDSN: dsn},
		{name: "unknown backend", args: []string{"--storage-backend=mysql"}, wantErr: []string{"--storage-backend", "etcd", "postgres"}},
		{name: "postgres without a DSN", args: []string{"--storage-backend=postgres"}, wantErr: []string{"--postgres-dsn-file", PostgresDSNEnv}},
		{name: "postgres and --etcd-servers", env: dsn, args: []string{"--storage-backend=postgres", "--etcd-servers=http://etcd:2379"}, wantErr: []string{"--etcd-servers"}},
		{name: "a DSN file without postgres", args: []string{"--postgres-dsn-file=" + file}, wantErr: []string{"--postgres-dsn-file needs --storage-backend=postgres"}},
		{name: "not a PostgreSQL URL", env: "mysql://app:" + secret + "@db/metrics", args: []string{"--storage-backend=postgres"}, wantErr: []string{"$" + PostgresDSNEnv, "postgres://"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(PostgresDSNEnv, tc.env)
			o := parse(t, append([]string{"--local"}, tc.args...)...)
			err := o.Complete(false)
			if err == nil {
				err = o.Validate()
			}
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if o.Storage.postgresDSN != tc.wantDSN {
					t.Fatalf("DSN: got %q, want %q", o.Storage.postgresDSN, tc.wantDSN)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not say %q: %v", want, err)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error repeats the password: %v", err)
			}
		})
	}
}
