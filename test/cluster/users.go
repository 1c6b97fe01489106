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

package cluster

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// UserKubeconfig writes a kubeconfig for a user authenticated by a client certificate signed by
// the cluster CA (no RBAC of its own), and returns its path.
func (c Config) UserKubeconfig(user string, groups ...string) (string, error) {
	ca, err := c.loadKeyPair("ca")
	if err != nil {
		return "", err
	}
	file := "user-" + user
	if err := c.newCert(ca, certRequest{file: file, cn: user, orgs: groups, client: true}); err != nil {
		return "", err
	}
	path := c.path(file + ".kubeconfig")
	if err := os.WriteFile(path, []byte(c.kubeconfig(file)), 0o600); err != nil {
		return "", fmt.Errorf("writing kubeconfig of %s: %w", user, err)
	}
	return path, nil
}

// FrontProxyClientCert is the certificate the aggregator presents to aggregated servers.
func (c Config) FrontProxyClientCert() (tls.Certificate, error) {
	return tls.LoadX509KeyPair(c.pki("front-proxy-client.crt"), c.pki("front-proxy-client.key"))
}

func (c Config) loadKeyPair(name string) (keyPair, error) {
	pair, err := tls.LoadX509KeyPair(c.pki(name+".crt"), c.pki(name+".key"))
	if err != nil {
		return keyPair{}, fmt.Errorf("loading %s: %w", name, err)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return keyPair{}, fmt.Errorf("parsing %s: %w", name, err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return keyPair{}, fmt.Errorf("%s key is not ECDSA", name)
	}
	return keyPair{cert: cert, key: key}, nil
}
