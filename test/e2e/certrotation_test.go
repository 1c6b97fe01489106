//go:build e2e

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

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
)

const (
	rotName  = "e2e-rotation"
	rotNS    = "e2e-rotation"
	rotGroup = "rotation.example.com"
	// rotStepTimeout bounds one step: the kubelet refreshes a mounted Secret within its sync period (1m)
	// plus the cache TTL, and the apiserver reloads the files it watches.
	rotStepTimeout = 5 * time.Minute
)

// TestCertificateRotationUnderLoad keeps requests flowing through kube-apiserver's aggregator to a
// two-replica apiserver while, one after another, every change of certificate happens: a forced serving
// renewal, a forced CA rotation, the CA Secret deleted, the serving Secret deleted, and the user's own CA
// swapped in. Each step waits until both pods serve the new chain and the caBundle holds only the new CA,
// then reports the requests sent and failed during it: none may fail. Every step runs with the cluster's
// --enable-aggregator-routing=false (the default: the Service's ClusterIP, through kube-proxy); the CA
// rotation runs again after restarting kube-apiserver with true (the aggregator dials endpoint IPs).
// Between the two, and on the same server, the faults of faults_test.go: an apiserver pod killed, etcd
// stopped then killed, and kube-apiserver restarted (the switch of mode); the pod kill again with true.
func TestCertificateRotationUnderLoad(t *testing.T) {
	routing, err := cfg.AggregatorRouting()
	if err != nil {
		t.Fatal(err)
	}
	deployOperator(t)
	backendsIn(t, rotNS)
	t.Cleanup(func() {
		_, _ = cfg.KubectlOutput(context.Background(), "", "delete", "customapiserver", rotName, "--ignore-not-found", "--timeout=3m")
		_, _ = cfg.KubectlOutput(context.Background(), "", "delete", "namespace", rotNS, "--ignore-not-found", "--timeout=3m")
	})
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+rotName+`}
spec:
  namespace: `+rotNS+`
  replicas: 2
  storage: {etcd: {servers: ["https://etcd:2379"], tlsSecretRef: {name: etcd-client}}}
  args: ["--api-group=`+rotGroup+`", "--source=prometheus=http://prometheus:9090"]
  apiServices:
  - {group: `+rotGroup+`, version: v1}
`)
	waitAllTrue(t, rotName, 4*time.Minute)

	// Every step in the cluster's routing mode; in the other mode only the CA rotation, the step that changes
	// what both the aggregator and the pods trust (a kube-apiserver restart and every step again would cost
	// minutes of CI for little more).
	if !t.Run(fmt.Sprintf("enable-aggregator-routing=%v", routing), func(t *testing.T) { rotationPass(t, routing, routing, nil) }) {
		return
	}
	// Faults under load on the same server (faults_test.go): the switch of routing mode below restarts
	// kube-apiserver, which is the third fault; the pod kill runs again in the other mode.
	t.Run(fmt.Sprintf("faults (routing=%v)", routing), func(t *testing.T) {
		t.Run("apiserver pod killed", func(t *testing.T) { apiserverPodKilled(t, routing) })
		t.Run("etcd stopped then killed", func(t *testing.T) { etcdStoppedThenKilled(t, routing) })
	})
	t.Run(fmt.Sprintf("enable-aggregator-routing=%v", !routing), func(t *testing.T) {
		// The first pass ended on the user's CA: back to the self-signed one first, which the annotation rotates.
		rotationPass(t, !routing, routing, func(name string) bool {
			return strings.HasPrefix(name, "back to the self-signed CA") || strings.HasPrefix(name, "CA rotated")
		})
		t.Run("fault: apiserver pod killed", func(t *testing.T) { apiserverPodKilled(t, !routing) })
	})
}

// rotationPass runs the steps that only selects (every step when nil) with kube-apiserver's
// --enable-aggregator-routing=mode (restarting it, and restoring original at the end, when it differs).
func rotationPass(t *testing.T, mode, original bool, only func(step string) bool) {
	if mode != original {
		kubeAPIServerRestarted(t, mode, original)
	}
	loop := startRequestLoop(t, "/apis/"+rotGroup+"/v1/namespaces/default/metricsnapshots", 40000)
	defer loop.stop()
	userCA, err := certs.NewCA(fmt.Sprintf("e2e user CA (routing %v)", mode), time.Now(), 2*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	userSecret := fmt.Sprintf("user-ca-%v", mode)
	type step struct {
		name string
		act  func(t *testing.T)
		done func(before, now servedState) error
	}
	var steps []step
	if strings.Contains(kubectl(t, "get", "customapiserver", rotName, "-o", "jsonpath={.spec.certificates.caSecretRef.name}"), "user-ca") {
		steps = append(steps, step{"back to the self-signed CA (caSecretRef removed)",
			func(t *testing.T) {
				kubectl(t, "patch", "customapiserver", rotName, "--type=json", "-p", `[{"op":"remove","path":"/spec/certificates/caSecretRef"}]`)
			},
			func(b, s servedState) error { return changed(b, s, true) }})
	}
	steps = append(steps,
		step{"serving certificate renewed (" + aggv1alpha1.AnnotationRenewServingCert + ")",
			func(t *testing.T) { annotate(t, aggv1alpha1.AnnotationRenewServingCert) },
			func(b, s servedState) error { return changed(b, s, false) }},
		step{"CA rotated (" + aggv1alpha1.AnnotationRotateCA + ")",
			func(t *testing.T) { annotate(t, aggv1alpha1.AnnotationRotateCA) },
			func(b, s servedState) error { return changed(b, s, true) }},
		step{"CA Secret deleted",
			func(t *testing.T) { kubectl(t, "-n", rotNS, "delete", "secret", rotName+"-ca") },
			func(b, s servedState) error { return changed(b, s, true) }},
		step{"serving Secret deleted",
			func(t *testing.T) { kubectl(t, "-n", rotNS, "delete", "secret", rotName+"-serving-cert") },
			func(b, s servedState) error { return changed(b, s, false) }},
		step{"user's CA swapped in (spec.certificates.caSecretRef)",
			func(t *testing.T) {
				kubectlApply(t, `apiVersion: v1
kind: Secret
metadata: {name: `+userSecret+`, namespace: `+rotNS+`}
type: kubernetes.io/tls
data: {tls.crt: `+base64.StdEncoding.EncodeToString(userCA.CertPEM)+`, tls.key: `+base64.StdEncoding.EncodeToString(userCA.KeyPEM)+`}
`)
				kubectl(t, "patch", "customapiserver", rotName, "--type=merge", "-p", `{"spec":{"certificates":{"caSecretRef":{"name":"`+userSecret+`"}}}}`)
			},
			func(b, s servedState) error {
				if err := changed(b, s, true); err != nil {
					return err
				}
				if !s.bundle[0].Equal(userCA.Cert) {
					return fmt.Errorf("caBundle holds %s, want the user's CA", s.bundle[0].Subject)
				}
				return nil
			}},
	)
	waitServing(t, "a settled state before the first step", func(servedState) error { return nil })
	for _, st := range steps {
		if only != nil && !only(st.name) {
			continue
		}
		ok := t.Run(st.name, func(t *testing.T) {
			before := waitServing(t, "a settled state", func(servedState) error { return nil })
			sent0, failed0, _ := loop.snapshot()
			start := time.Now()
			st.act(t)
			waitServing(t, "every pod serving the new chain and the caBundle pruned", func(s servedState) error { return st.done(before, s) })
			// A few more requests on the new chain alone.
			target := sent0 + 20
			eventually(t, time.Minute, "20 more requests", func() (bool, string) { n, _, _ := loop.snapshot(); return n >= target, "" })
			sent1, failed1, errs := loop.snapshot()
			sent, failed := sent1-sent0, failed1-failed0
			took := time.Since(start).Round(time.Second)
			t.Logf("routing=%v, %s: %d requests sent, %d failed, in %s", mode, st.name, sent, failed, took)
			note(fmt.Sprintf("rotation (routing=%v): %s", mode, st.name), fmt.Sprintf("sent %d, failed %d (%s)", sent, failed, took))
			if failed != 0 {
				t.Errorf("%d of %d requests failed; first failures:\n%s", failed, sent, strings.Join(errs, "\n"))
			}
		})
		if !ok {
			break
		}
	}
	sent, failed, errs := loop.stop()
	t.Logf("routing=%v, all steps: %d requests sent, %d failed", mode, sent, failed)
	if failed != 0 {
		t.Errorf("requests through the aggregator: %d of %d failed: %s", failed, sent, strings.Join(errs, "\n"))
	}
}

// servedState is what a client sees: the APIService's caBundle, the serving Secret's certificate, and the
// leaf each ready endpoint serves.
type servedState struct {
	bundle []*x509.Certificate
	secret *x509.Certificate
	served map[string]*x509.Certificate // endpoint -> leaf
}

// waitServing waits until every ready endpoint serves the serving Secret's certificate, the caBundle holds
// one CA and it signed that certificate (a settled state), and cond holds.
func waitServing(t *testing.T, what string, cond func(servedState) error) servedState {
	t.Helper()
	var s servedState
	eventually(t, rotStepTimeout, what, func() (bool, string) {
		var err error
		if s, err = observeServed(t); err != nil {
			return false, err.Error()
		}
		if len(s.bundle) != 1 {
			return false, fmt.Sprintf("caBundle holds %d CAs", len(s.bundle))
		}
		if s.secret.CheckSignatureFrom(s.bundle[0]) != nil {
			return false, "the serving certificate is not signed by the caBundle's CA"
		}
		if len(s.served) != 2 {
			return false, fmt.Sprintf("%d ready endpoints, want 2", len(s.served))
		}
		for ep, leaf := range s.served {
			if !leaf.Equal(s.secret) {
				return false, fmt.Sprintf("endpoint %s serves serial %x, the Secret holds %x", ep, leaf.SerialNumber, s.secret.SerialNumber)
			}
		}
		if err := cond(s); err != nil {
			return false, err.Error()
		}
		return true, ""
	})
	return s
}

// changed checks a step's effect: a new serving certificate, and (newCA) a new CA.
func changed(before, now servedState, newCA bool) error {
	if now.secret.Equal(before.secret) {
		return fmt.Errorf("serving certificate not renewed yet")
	}
	if sameCA := now.bundle[0].Equal(before.bundle[0]); newCA == sameCA {
		return fmt.Errorf("CA changed %v, want %v", !sameCA, newCA)
	}
	return nil
}

func observeServed(t *testing.T) (servedState, error) {
	var s servedState
	caB64, err := cfg.KubectlOutput(t.Context(), "", "get", "apiservice", "v1."+rotGroup, "-o", "jsonpath={.spec.caBundle}")
	if err != nil {
		return s, err
	}
	if s.bundle, err = parseB64Certs(caB64); err != nil {
		return s, fmt.Errorf("caBundle: %w", err)
	}
	crtB64, err := cfg.KubectlOutput(t.Context(), "", "-n", rotNS, "get", "secret", rotName+"-serving-cert", "-o", `jsonpath={.data.tls\.crt}`)
	if err != nil {
		return s, err
	}
	leaf, err := parseB64Certs(crtB64)
	if err != nil {
		return s, fmt.Errorf("serving Secret: %w", err)
	}
	s.secret = leaf[0]
	eps, err := cfg.KubectlOutput(t.Context(), "", "-n", rotNS, "get", "endpointslices", "-l", "kubernetes.io/service-name="+rotName, "-o",
		`jsonpath={range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready}{"\n"}{end}`)
	if err != nil {
		return s, err
	}
	s.served = map[string]*x509.Certificate{}
	for _, line := range strings.Split(strings.TrimSpace(eps), "\n") {
		ip, ready, _ := strings.Cut(line, " ")
		if ip == "" || ready != "true" {
			continue
		}
		addr := net.JoinHostPort(ip, strconv.Itoa(6443))
		d := &tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // only the served certificate is read
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		conn, err := d.DialContext(ctx, "tcp", addr)
		cancel()
		if err != nil {
			return s, fmt.Errorf("dialling endpoint %s: %w", addr, err)
		}
		s.served[addr] = conn.(*tls.Conn).ConnectionState().PeerCertificates[0]
		_ = conn.Close()
	}
	return s, nil
}

func parseB64Certs(b64 string) ([]*x509.Certificate, error) {
	pemBytes, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, err
	}
	return certs.ParseCerts(pemBytes)
}

// annotate sets key on the CustomApiServer to the current time, a new value each time.
func annotate(t *testing.T, key string) {
	kubectl(t, "annotate", "--overwrite", "customapiserver", rotName, key+"="+time.Now().UTC().Format(time.RFC3339Nano))
}
