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
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/klog/v2"
)

// forcedExit makes a stop signal always stop the process. The first SIGTERM or SIGINT asks the
// server to stop gracefully; a second one, or the server still running once the shutdown delay
// and timeout have passed, removes what Run created that would outlive the process (the temporary
// data dir) and exits with status 1. k8s.io/apiserver's SetupSignalContext also exits on a second
// signal, but leaves the temporary dir behind and never exits by itself when the shutdown hangs.
type forcedExit struct {
	// second is closed by the second signal.
	second <-chan struct{}
	// exit ends the process (os.Exit).
	exit func(code int)
}

// signalContext returns a context cancelled by the first SIGTERM or SIGINT and a forcedExit
// triggered by the second.
func signalContext() (context.Context, *forcedExit) {
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan struct{})
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		cancel()
		<-signals
		close(second)
	}()
	return ctx, &forcedExit{second: second, exit: os.Exit}
}

// watch waits for ctx to end (the stop signal) and then for done (Run returned). If instead a
// second signal comes or grace passes, it runs cleanup and exits.
func (f *forcedExit) watch(ctx context.Context, done <-chan struct{}, grace time.Duration, cleanup func()) {
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	var why string
	select {
	case <-done:
		return
	case <-f.second:
		why = "a second stop signal"
	case <-timer.C:
		why = fmt.Sprintf("still running %s after the stop signal (--shutdown-delay-duration plus --shutdown-timeout)", grace)
	}
	klog.ErrorS(nil, "Exiting without a graceful shutdown", "reason", why)
	cleanup()
	klog.Flush()
	f.exit(1)
}
