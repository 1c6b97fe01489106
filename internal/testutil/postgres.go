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
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// PostgresPassword is the password of the private cluster's superuser, so a test can check that
// no log or error repeats it.
const PostgresPassword = "pg-test-secret-7c1e"

// Postgres is a private PostgreSQL cluster (Debian's binaries) in a temporary directory, on a free
// port of the addresses given (loopback by default), with password authentication. PostgreSQL
// refuses to run as root: as root, its commands run as the user postgres (runuser).
type Postgres struct {
	// Port is where it listens, on every address given.
	Port int
	// Hosts are the addresses it listens on.
	Hosts []string
	dir   string
	bin   string
	t     testing.TB
}

// StartPostgres creates and starts the cluster; it is stopped and removed at cleanup. A missing
// PostgreSQL fails the test: 'make postgresql' installs it.
func StartPostgres(t testing.TB, hosts ...string) *Postgres {
	t.Helper()
	if len(hosts) == 0 {
		hosts = []string{"127.0.0.1"}
	}
	bin, err := postgresBin()
	if err != nil {
		t.Fatalf("PostgreSQL not found: run 'make postgresql' (apt-get install postgresql): %v", err)
	}
	// Not t.TempDir: its parents are closed to the postgres user.
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	p := &Postgres{Port: FreePort(t), Hosts: hosts, dir: dir, bin: bin, t: t}
	t.Cleanup(func() {
		p.Stop()
		_ = os.RemoveAll(dir)
	})
	if err := p.giveToPostgres(dir); err != nil {
		t.Fatal(err)
	}
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(PostgresPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.giveToPostgres(pwfile); err != nil {
		t.Fatal(err)
	}
	p.run("initdb", "-D", p.data(), "-U", "postgres", "--pwfile="+pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--no-sync")
	if err := p.allowRemote(); err != nil {
		t.Fatal(err)
	}
	p.Start()
	return p
}

// DSN is a URL of database db on the first address, as a user of the apiserver writes it.
func (p *Postgres) DSN(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword("postgres", PostgresPassword),
		Host: net.JoinHostPort(p.Hosts[0], strconv.Itoa(p.Port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// Start (re)starts the server on the same port and data and waits until it accepts connections.
func (p *Postgres) Start() {
	p.t.Helper()
	opts := fmt.Sprintf("-c listen_addresses='%s' -p %d -c unix_socket_directories='%s' -c fsync=off",
		strings.Join(p.Hosts, ","), p.Port, p.dir)
	p.run("pg_ctl", "-D", p.data(), "-l", filepath.Join(p.dir, "log"), "-o", opts, "-w", "-t", "60", "start")
}

// Stop stops the server (fast: connections are closed); its data stays for a restart.
func (p *Postgres) Stop() {
	if _, err := os.Stat(filepath.Join(p.data(), "postmaster.pid")); err != nil {
		return
	}
	p.run("pg_ctl", "-D", p.data(), "-m", "fast", "-w", "-t", "60", "stop")
}

func (p *Postgres) data() string { return filepath.Join(p.dir, "data") }

// allowRemote lets clients from other addresses log in with the password when the cluster listens
// on more than loopback (initdb allows loopback only): pods reach it through the node's address.
func (p *Postgres) allowRemote() error {
	for _, h := range p.Hosts {
		if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
			continue
		}
		f, err := os.OpenFile(filepath.Join(p.data(), "pg_hba.conf"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("opening pg_hba.conf: %w", err)
		}
		_, err = f.WriteString("host all all all scram-sha-256\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("allowing remote clients in pg_hba.conf: %w", err)
		}
		return nil
	}
	return nil
}

// run runs one of PostgreSQL's commands, as the user postgres when this is root.
func (p *Postgres) run(name string, args ...string) {
	p.t.Helper()
	cmd := exec.Command(filepath.Join(p.bin, name), args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", cmd.Path}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "log"))
		p.t.Fatalf("%s %v: %v\n%s\n%s", name, args, err, out, log)
	}
}

// giveToPostgres hands path to the user postgres when this is root.
func (p *Postgres) giveToPostgres(path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("looking up the user postgres (Debian's package creates it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("handing %s to postgres: %w", path, err)
	}
	return nil
}

// postgresBin is the newest of Debian's /usr/lib/postgresql/<major>/bin.
func postgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return majorOf(dirs[i]) > majorOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no /usr/lib/postgresql/<version>/bin/initdb")
}

func majorOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}
