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

package controllers

import (
	cmv1 "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmv1ac "github.com/cert-manager/cert-manager/pkg/client/applyconfigurations/certmanager/v1"
	cmmetav1ac "github.com/cert-manager/cert-manager/pkg/client/applyconfigurations/meta/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1ac "k8s.io/kube-aggregator/pkg/client/applyconfiguration/apiregistration/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// annotationInjectCAFrom asks cert-manager's cainjector to keep an object's caBundle equal to the ca.crt
// of a Certificate's Secret (<namespace>/<certificate>).
const annotationInjectCAFrom = "cert-manager.io/inject-ca-from"

// cmNames are the cert-manager objects of one CustomApiServer in cert-manager mode. The serving
// Certificate writes the Secret the Deployment already mounts, and takes its name. The chain's names are
// used only without an issuerRef; its CA Secret is not the operator's own CA Secret (<name>-ca), so
// switching modes never mixes the two CAs.
type cmNames struct {
	Serving          string // Certificate, and the Secret it writes (names.ServingSecret)
	SelfSignedIssuer string
	CACertificate    string
	CASecret         string
	CAIssuer         string
}

func certManagerNames(n names) cmNames {
	base := n.Deployment // the CustomApiServer's name
	return cmNames{
		Serving:          n.ServingSecret,
		SelfSignedIssuer: base + "-selfsigned",
		CACertificate:    base + "-cert-manager-ca",
		CASecret:         base + "-cert-manager-ca",
		CAIssuer:         base + "-ca",
	}
}

// servingIssuerRef is the user's issuerRef, or the chain's CA Issuer.
func servingIssuerRef(cas *aggv1alpha1.CustomApiServer, cm cmNames) *cmmetav1ac.IssuerReferenceApplyConfiguration {
	if ref := cas.Spec.Certificates.CertManager.IssuerRef; ref != nil {
		kind, group := ref.Kind, ref.Group
		if kind == "" {
			kind = cmv1.IssuerKind
		}
		if group == "" {
			group = "cert-manager.io"
		}
		return cmmetav1ac.IssuerReference().WithName(ref.Name).WithKind(kind).WithGroup(group)
	}
	return cmmetav1ac.IssuerReference().WithName(cm.CAIssuer).WithKind(cmv1.IssuerKind).WithGroup("cert-manager.io")
}

// desiredServingCertificate asks cert-manager for the serving certificate: every name of the Service,
// the spec's lifetimes, a new key at each renewal.
func desiredServingCertificate(cas *aggv1alpha1.CustomApiServer, n names, cm cmNames) *cmv1ac.CertificateApplyConfiguration {
	lt := lifetimes(cas)
	return childCertificate(cas, n, cm.Serving, certificateSpec(cas, cm.Serving).
		WithDNSNames(servingDNSNames(n)...).
		WithDuration(metav1.Duration{Duration: lt.Serving}).
		WithRenewBefore(metav1.Duration{Duration: lt.RenewBefore}).
		WithUsages(cmv1.UsageServerAuth, cmv1.UsageDigitalSignature).
		WithPrivateKey(cmv1ac.CertificatePrivateKey().
			WithAlgorithm(cmv1.ECDSAKeyAlgorithm).WithSize(256).
			WithRotationPolicy(cmv1.RotationPolicyAlways)).
		WithIssuerRef(servingIssuerRef(cas, cm)))
}

// childCertificate is a Certificate child of cas.
func childCertificate(cas *aggv1alpha1.CustomApiServer, n names, name string, spec *cmv1ac.CertificateSpecApplyConfiguration) *cmv1ac.CertificateApplyConfiguration {
	return cmv1ac.Certificate(name, n.Namespace).WithLabels(childLabels(cas)).WithOwnerReferences(ownerRef(cas)).WithSpec(spec)
}

// certificateSpec writes Secret secret with the children's labels, so the operator's cache (which holds
// only labelled Secrets) sees it.
func certificateSpec(cas *aggv1alpha1.CustomApiServer, secret string) *cmv1ac.CertificateSpecApplyConfiguration {
	return cmv1ac.CertificateSpec().
		WithSecretName(secret).
		WithSecretTemplate(cmv1ac.CertificateSecretTemplate().WithLabels(childLabels(cas)))
}

// desiredSelfSignedIssuer signs the chain's CA, and nothing else.
func desiredSelfSignedIssuer(cas *aggv1alpha1.CustomApiServer, n names, cm cmNames) *cmv1ac.IssuerApplyConfiguration {
	return cmv1ac.Issuer(cm.SelfSignedIssuer, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithSpec(cmv1ac.IssuerSpec().WithSelfSigned(cmv1ac.SelfSignedIssuer()))
}

// desiredCACertificate is the chain's CA, lasting spec.certificates.caDuration. Its key never rotates: a
// renewed CA certificate with the same key and subject still verifies the serving certificates the
// old one signed, so a CA renewal never leaves a pod serving a chain the caBundle does not trust.
func desiredCACertificate(cas *aggv1alpha1.CustomApiServer, n names, cm cmNames) *cmv1ac.CertificateApplyConfiguration {
	lt := lifetimes(cas)
	return childCertificate(cas, n, cm.CACertificate, certificateSpec(cas, cm.CASecret).
		WithIsCA(true).
		// A common name is at most 64 bytes; the name is at most 56.
		WithCommonName(cas.Name).
		WithSubject(cmv1ac.X509Subject().WithOrganizations("aggregation-operator")).
		WithDuration(metav1.Duration{Duration: lt.CA}).
		WithRenewBefore(metav1.Duration{Duration: lt.RenewBefore}).
		WithPrivateKey(cmv1ac.CertificatePrivateKey().
			WithAlgorithm(cmv1.ECDSAKeyAlgorithm).WithSize(256).
			WithRotationPolicy(cmv1.RotationPolicyNever)).
		WithIssuerRef(cmmetav1ac.IssuerReference().WithName(cm.SelfSignedIssuer).WithKind(cmv1.IssuerKind).WithGroup("cert-manager.io")))
}

// desiredCAIssuer signs the serving certificate with the chain's CA; cert-manager's CA issuer also
// writes the CA into the serving Secret's ca.crt, which cainjector then injects.
func desiredCAIssuer(cas *aggv1alpha1.CustomApiServer, n names, cm cmNames) *cmv1ac.IssuerApplyConfiguration {
	return cmv1ac.Issuer(cm.CAIssuer, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithSpec(cmv1ac.IssuerSpec().WithCA(cmv1ac.CAIssuer().WithSecretName(cm.CASecret)))
}

// desiredCertManagerAPIService is the APIService of cert-manager mode: cainjector keeps its caBundle, so
// the operator's apply leaves the field out and server-side apply leaves cainjector's value alone. Only
// keep, the live caBundle while the operator is still its sole manager (just switched from its own CA),
// is applied again unchanged, so the switch never empties the field before cainjector has filled it.
func desiredCertManagerAPIService(cas *aggv1alpha1.CustomApiServer, n names, s aggv1alpha1.APIServiceSpec, keep []byte) *apiregv1ac.APIServiceApplyConfiguration {
	return desiredAPIService(cas, n, s, keep).
		WithAnnotations(map[string]string{annotationInjectCAFrom: n.Namespace + "/" + certManagerNames(n).Serving})
}
