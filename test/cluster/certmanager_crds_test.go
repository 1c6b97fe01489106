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
	"os"
	"path/filepath"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// cert-manager's CRDs from CertManagerCRDDir install into envtest's kube-apiserver, and cert-manager's
// own Go types (pkg/apis, the operator's cert-manager mode) round-trip through them: nothing of the
// spec is pruned, and the status subresource takes a Ready condition.
func TestCertManagerCRDsServeItsGoTypes(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Setenv("KUBEBUILDER_ASSETS", abs(filepath.Join("..", "..", "bin", "k8s", "v1.37.2")))
	}
	crdDir := CertManagerCRDDir()
	if _, err := os.Stat(crdDir); err != nil {
		t.Fatalf("cert-manager CRDs missing (`make cert-manager-crds` copies them): %v", err)
	}
	env := &envtest.Environment{CRDDirectoryPaths: []string{crdDir}, ErrorIfCRDPathMissing: true}
	restCfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest (KUBEBUILDER_ASSETS=%s; `make kube-binaries` builds them): %v", os.Getenv("KUBEBUILDER_ASSETS"), err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping envtest: %v", err)
		}
	})
	scheme := runtime.NewScheme()
	if err := cmapi.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(restCfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	issuer := &cmapi.Issuer{
		ObjectMeta: metav1.ObjectMeta{Name: "ca", Namespace: "default"},
		Spec:       cmapi.IssuerSpec{IssuerConfig: cmapi.IssuerConfig{CA: &cmapi.CAIssuer{SecretName: "ca"}}},
	}
	cert := &cmapi.Certificate{
		ObjectMeta: metav1.ObjectMeta{Name: "serving", Namespace: "default"},
		Spec: cmapi.CertificateSpec{
			SecretName:  "serving",
			DNSNames:    []string{"api", "api.default", "api.default.svc", "api.default.svc.cluster.local"},
			Duration:    &metav1.Duration{Duration: 24 * time.Hour},
			RenewBefore: &metav1.Duration{Duration: 8 * time.Hour},
			Usages:      []cmapi.KeyUsage{cmapi.UsageServerAuth, cmapi.UsageDigitalSignature},
			PrivateKey:  &cmapi.CertificatePrivateKey{Algorithm: cmapi.ECDSAKeyAlgorithm, RotationPolicy: cmapi.RotationPolicyAlways},
			IssuerRef:   cmmeta.IssuerReference{Name: "ca", Kind: cmapi.IssuerKind, Group: "cert-manager.io"},
		},
	}
	for _, obj := range []client.Object{issuer, cert} {
		if err := c.Create(ctx, obj); err != nil {
			t.Fatalf("creating %T: %v", obj, err)
		}
	}
	var got cmapi.Certificate
	if err := c.Get(ctx, client.ObjectKeyFromObject(cert), &got); err != nil {
		t.Fatal(err)
	}
	if !equality.Semantic.DeepEqual(got.Spec, cert.Spec) {
		t.Errorf("Certificate spec changed on its way through the CRD:\n got %+v\nwant %+v", got.Spec, cert.Spec)
	}

	got.Status.Conditions = []cmapi.CertificateCondition{{Type: cmapi.CertificateConditionReady, Status: cmmeta.ConditionTrue, Reason: "Ready", Message: "test"}}
	if err := c.Status().Update(ctx, &got); err != nil {
		t.Fatalf("updating Certificate status: %v", err)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(cert), &got); err != nil {
		t.Fatal(err)
	}
	if n := len(got.Status.Conditions); n != 1 || got.Status.Conditions[0].Status != cmmeta.ConditionTrue {
		t.Errorf("Certificate status after update: %+v, want one Ready=True condition", got.Status)
	}
}
