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

// Command cert-manager is one multi-call binary holding cert-manager's controller, cainjector and
// webhook, wired here from cert-manager's own packages: the module proxy serves those packages but
// not the cmd/* modules that build the upstream binaries. The module path lies under
// github.com/cert-manager/cert-manager/ so that the wiring may import its internal/ packages.
//
// It dispatches on the name it was started under (bin/cert-manager/<version>/cert-manager-webhook
// is a symlink to it) or, failing that, on its first argument: `cert-manager controller --v=2`.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/spf13/pflag"
	ctrl "sigs.k8s.io/controller-runtime"
)

// components maps each component's name to a function that parses its flags and runs it until ctx ends.
var components = map[string]func(ctx context.Context, args []string) error{
	"controller": runController,
	"cainjector": runCAInjector,
	"webhook":    runWebhook,
}

func main() {
	name := strings.TrimPrefix(filepath.Base(os.Args[0]), "cert-manager-")
	args := os.Args[1:]
	if _, ok := components[name]; !ok && len(args) > 0 {
		name, args = args[0], args[1:]
	}
	run, ok := components[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "usage: cert-manager <%s> [flags]\n", usage())
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	logf.InitLogs()
	ctrl.SetLogger(logf.Log)
	ctx = logf.NewContext(ctx, logf.Log, name)

	err := run(ctx, args)
	stop()
	logf.FlushLogs()
	if errors.Is(err, pflag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cert-manager %s: %v\n", name, err)
		os.Exit(1)
	}
}

func usage() string {
	names := make([]string, 0, len(components))
	for n := range components {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, "|")
}
