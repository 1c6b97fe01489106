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
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

// keyPair is a certificate with its key, kept to sign others.
type keyPair struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// certRequest is one certificate the cluster needs.
type certRequest struct {
	file   string // pki/<file>.crt and .key
	cn     string
	orgs   []string
	dns    []string
	ips    []string
	server bool
	client bool
}

// writePKI creates the cluster CA, the front-proxy CA, every component's certificate and the
// service-account key pair under pki/. A fresh PKI per boot: nothing outlives the cluster.
func (c Config) writePKI() error {
	if err := os.MkdirAll(c.path("pki"), 0o700); err != nil {
		return fmt.Errorf("creating pki dir: %w", err)
	}
	ca, err := c.newCA("ca", "aggop-cluster-ca")
	if err != nil {
		return err
	}
	frontProxyCA, err := c.newCA("front-proxy-ca", "aggop-front-proxy-ca")
	if err != nil {
		return err
	}
	signedByCA := []certRequest{
		{file: "apiserver", cn: "kube-apiserver", server: true,
			dns: []string{"kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"},
			ips: []string{"127.0.0.1", c.ServiceIP, c.NodeIP}},
		{file: "admin", cn: "kubernetes-admin", orgs: []string{"system:masters"}, client: true},
		{file: "controller-manager", cn: "system:kube-controller-manager", client: true},
		{file: "scheduler", cn: "system:kube-scheduler", client: true},
		{file: "kubelet-client", cn: "system:node:" + c.NodeName, orgs: []string{"system:nodes"}, client: true},
		{file: "kube-proxy", cn: "system:kube-proxy", client: true},
		{file: "apiserver-kubelet-client", cn: "kube-apiserver-kubelet-client", orgs: []string{"system:masters"}, client: true},
		{file: "kubelet", cn: c.NodeName, server: true, dns: []string{c.NodeName, "localhost"}, ips: []string{c.NodeIP, "127.0.0.1"}},
	}
	for _, r := range signedByCA {
		if err := c.newCert(ca, r); err != nil {
			return err
		}
	}
	if err := c.newCert(frontProxyCA, certRequest{file: "front-proxy-client", cn: "front-proxy-client", client: true}); err != nil {
		return err
	}
	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating service-account key: %w", err)
	}
	if err := writeKey(c.pki("sa.key"), saKey); err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(saKey.Public())
	if err != nil {
		return fmt.Errorf("encoding service-account public key: %w", err)
	}
	return writePEM(c.pki("sa.pub"), "PUBLIC KEY", pub)
}

func (c Config) newCA(file, cn string) (keyPair, error) {
	ca, der, err := makeCA(cn)
	if err != nil {
		return keyPair{}, fmt.Errorf("making %s: %w", file, err)
	}
	if err := writePEM(c.pki(file+".crt"), "CERTIFICATE", der); err != nil {
		return keyPair{}, err
	}
	return ca, writeKey(c.pki(file+".key"), ca.key.(*ecdsa.PrivateKey))
}

// makeCA is a self-signed CA valid ten years, and its certificate's DER.
func makeCA(cn string) (keyPair, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, nil, fmt.Errorf("generating the key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return keyPair{}, nil, fmt.Errorf("signing: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return keyPair{}, nil, fmt.Errorf("parsing what was signed: %w", err)
	}
	return keyPair{cert: cert, key: key}, der, nil
}

func (c Config) newCert(ca keyPair, r certRequest) error {
	der, key, err := makeCert(ca, r)
	if err != nil {
		return err
	}
	if err := writePEM(c.pki(r.file+".crt"), "CERTIFICATE", der); err != nil {
		return err
	}
	return writeKey(c.pki(r.file+".key"), key)
}

// makeCert is the certificate r asks for, signed by ca and valid a year, as DER, with its key.
func makeCert(ca keyPair, r certRequest) ([]byte, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating %s key: %w", r.file, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: r.cn, Organization: r.orgs},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		DNSNames:     r.dns,
	}
	for _, ip := range r.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	if r.server {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	if r.client {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("signing %s: %w", r.file, err)
	}
	return der, key, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding key %s: %w", path, err)
	}
	return writePEM(path, keyPEMType, der)
}

// keyPEMType is the PEM block of an EC key in SEC 1 form (x509.MarshalECPrivateKey).
const keyPEMType = "EC PRIVATE KEY"

func writePEM(path, typ string, der []byte) error {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
