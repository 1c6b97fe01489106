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
	"crypto/x509"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
)

// setCertificatesStatus records the stored plan: lifetimes, the CAs of the caBundle and why each is kept, the
// endpoints' proof, and the forced requests now handled (the annotations' current values).
func setCertificatesStatus(cas *aggv1alpha1.CustomApiServer, p *certs.Plan, source string) {
	st := &aggv1alpha1.CertificatesStatus{
		ServingNotAfter:         &metav1.Time{Time: p.Serving.Cert.NotAfter},
		CANotAfter:              &metav1.Time{Time: p.CA.Cert.NotAfter},
		NextRenewal:             &metav1.Time{Time: p.NextRenewal},
		CASource:                source,
		RenewServingCertHandled: cas.Annotations[aggv1alpha1.AnnotationRenewServingCert],
		RotateCAHandled:         cas.Annotations[aggv1alpha1.AnnotationRotateCA],
	}
	for _, e := range p.Bundle {
		st.CABundle = append(st.CABundle, aggv1alpha1.BundledCA{
			Subject: e.Cert.Subject.String(), Serial: serialHex(e.Cert), NotAfter: metav1.Time{Time: e.Cert.NotAfter}, Reason: e.Reason,
		})
	}
	if p.Endpoints > 0 || p.PendingProof() {
		st.EndpointsOnCurrentCA = fmt.Sprintf("%d/%d", p.Proven, p.Endpoints)
	}
	cas.Status.Certificates = st
}

func serialHex(c *x509.Certificate) string { return fmt.Sprintf("%x", c.SerialNumber) }

// caName names a CA in events: subject and serial, since rotated CAs share their subject.
func caName(c *x509.Certificate) string {
	return fmt.Sprintf("%q (serial %s, expires %s)", c.Subject.String(), serialHex(c), stamp(c.NotAfter))
}
