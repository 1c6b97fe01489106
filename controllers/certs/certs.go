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

// Package certs makes the CA and serving certificate of an aggregated API server with crypto/x509 and
// decides, as pure functions of an injected time, when each is due for renewal.
package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// backdate keeps a fresh certificate valid on nodes whose clock lags a little behind.
const backdate = 5 * time.Minute

// KeyPair is a PEM certificate and its PEM private key, with the parsed certificate.
type KeyPair struct {
	CertPEM []byte
	KeyPEM  []byte
	Cert    *x509.Certificate
}

// NewCA makes a self-signed ECDSA P-256 CA valid from now for d.
func NewCA(commonName string, now time.Time, d time.Duration) (*KeyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(d),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	return sign(tmpl, key, nil, nil)
}

// NewServing makes an ECDSA P-256 serving certificate for dnsNames signed by ca, valid from now for d but
// never beyond the CA's own expiry.
func NewServing(ca *KeyPair, dnsNames []string, now time.Time, d time.Duration) (*KeyPair, error) {
	if len(dnsNames) == 0 {
		return nil, errors.New("serving certificate needs at least one DNS name")
	}
	return NewLeaf(ca, dnsNames[0], dnsNames, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, now, d)
}

// NewLeaf makes an ECDSA P-256 certificate for commonName and dnsNames with the extended key usages given
// (server, client or both, as etcd's peers need), signed by ca, valid from now for d but never beyond the
// CA's own expiry.
func NewLeaf(ca *KeyPair, commonName string, dnsNames []string, usages []x509.ExtKeyUsage, now time.Time, d time.Duration) (*KeyPair, error) {
	caKey, err := ParseKey(ca.KeyPEM)
	if err != nil {
		return nil, fmt.Errorf("reading CA key: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating key: %w", err)
	}
	notAfter := now.Add(d)
	if notAfter.After(ca.Cert.NotAfter) {
		notAfter = ca.Cert.NotAfter
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName},
		DNSNames:    dnsNames,
		NotBefore:   now.Add(-backdate),
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: usages,
	}
	return sign(tmpl, key, ca.Cert, caKey)
}

func sign(tmpl *x509.Certificate, key *ecdsa.PrivateKey, parent *x509.Certificate, parentKey crypto.Signer) (*KeyPair, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generating serial number: %w", err)
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, fmt.Errorf("signing certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing new certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding key: %w", err)
	}
	return &KeyPair{
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		Cert:    cert,
	}, nil
}

// Parse reads a PEM certificate and key; it fails when either is missing, malformed or they do not match.
func Parse(certPEM, keyPEM []byte) (*KeyPair, error) {
	certs, err := ParseCerts(certPEM)
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, fmt.Errorf("want one certificate, found %d", len(certs))
	}
	key, err := ParseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(certs[0].PublicKey) {
		return nil, errors.New("certificate does not match its key")
	}
	return &KeyPair{CertPEM: certPEM, KeyPEM: keyPEM, Cert: certs[0]}, nil
}

// ParseKey reads a PEM private key: EC (SEC 1), RSA (PKCS #1) or either in PKCS #8, the forms openssl and
// cert-manager write, since a user's CA (spec.certificates.caSecretRef) may come in any of them.
func ParseKey(keyPEM []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, errors.New("no PEM block in the key")
	}
	var key any
	var err error
	switch block.Type {
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("unsupported key PEM block %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", block.Type, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s is not a signing key", block.Type)
	}
	return signer, nil
}

// CheckCA says why c cannot sign serving certificates, or nil: it must be a CA (basicConstraints CA:TRUE)
// allowed to sign certificates, and valid at now.
func CheckCA(c *x509.Certificate, now time.Time) error {
	switch {
	case !c.BasicConstraintsValid || !c.IsCA:
		return fmt.Errorf("certificate %q is not a CA (basicConstraints CA:TRUE is missing)", c.Subject.String())
	case c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0:
		return fmt.Errorf("CA %q may not sign certificates (keyUsage lacks keyCertSign)", c.Subject.String())
	case now.Before(c.NotBefore):
		return fmt.Errorf("CA %q is not valid before %s", c.Subject.String(), c.NotBefore.UTC().Format(time.RFC3339))
	case !now.Before(c.NotAfter):
		return fmt.Errorf("CA %q expired at %s", c.Subject.String(), c.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// ParseCerts reads every CERTIFICATE block of a PEM bundle.
func ParseCerts(bundle []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := bytes.TrimSpace(bundle)
	for len(rest) > 0 {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("malformed PEM data")
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parsing certificate: %w", err)
		}
		out = append(out, c)
		rest = bytes.TrimSpace(rest)
	}
	if len(out) == 0 {
		return nil, errors.New("no certificate found")
	}
	return out, nil
}

// EncodeCert PEM-encodes a certificate.
func EncodeCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}
