// Command coredns is CoreDNS built from the Go module proxy with only the plugins the
// local cluster's DNS needs (the full plugin set pulls in every cloud SDK and triples the build).
package main

import (
	"github.com/coredns/coredns/coremain"

	// Plugins used by the harness' Corefile; registering them is a side effect of the import.
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() { coremain.Run() }
