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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cmv1 "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmetav1 "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// defaultCertManagerRetry: how soon a CustomApiServer in cert-manager mode looks again for cert-manager's
// CRDs while they are absent (nothing watched tells the operator they arrived).
const defaultCertManagerRetry = time.Minute

// +kubebuilder:rbac:groups=cert-manager.io,resources=certificates;issuers,verbs=get;list;watch;create;update;patch;delete

// reconcileCertManager is the certificates step of cert-manager mode: it applies the chain (without an
// issuerRef) and the serving Certificate, and reports the Certificate's state in CertificatesReady and
// status.certificates. It returns whether the Certificate is in place (the Deployment and APIServices
// may follow) and, while cert-manager is not installed, when to look again.
func (r *Reconciler) reconcileCertManager(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names) (bool, time.Duration, error) {
	installed, err := r.certManagerInstalled(ctx)
	if err != nil {
		setCertificatesReady(cas, nil, err)
		return false, 0, err
	}
	if !installed {
		setCondition(cas, aggv1alpha1.ConditionCertificatesReady, false, aggv1alpha1.ReasonCertManagerNotInstalled,
			"spec.certificates.certManager is set but cert-manager is not installed: the cluster serves no cert-manager.io/v1 "+
				"Certificate and Issuer. Install cert-manager (the operator notices within a minute), or remove "+
				"spec.certificates.certManager to use the operator's own CA")
		retry := r.CertManagerRetry
		if retry <= 0 {
			retry = defaultCertManagerRetry
		}
		return false, retry, nil
	}
	cm := certManagerNames(n)
	var children []applyConfiguration
	if cas.Spec.Certificates.CertManager.IssuerRef == nil {
		children = append(children, desiredSelfSignedIssuer(cas, n, cm), desiredCACertificate(cas, n, cm), desiredCAIssuer(cas, n, cm))
	}
	children = append(children, desiredServingCertificate(cas, n, cm))
	keep := map[string]bool{}
	for _, c := range children {
		if err := a.apply(ctx, c); err != nil {
			setCertificatesReady(cas, nil, err)
			return false, 0, err
		}
		keep[ptr.Deref(c.GetKind(), "")+"/"+ptr.Deref(c.GetName(), "")] = true
	}
	// The chain goes when an issuerRef replaces it.
	err = errors.Join(r.pruneCertManagerObjects(ctx, cas, keep), r.observeCertManager(ctx, cas, n, cm))
	return true, 0, err
}

// pruneCertManagerObjects deletes the cert-manager objects of cas that are not in keep (kind/name): all
// of them once cert-manager mode is left, the chain once an issuerRef is set. A serving Certificate left
// behind would keep rewriting the Secret the operator's own CA then fills. It reads the watches' cache,
// so it costs no request while there is nothing to delete.
func (r *Reconciler) pruneCertManagerObjects(ctx context.Context, cas *aggv1alpha1.CustomApiServer, keep map[string]bool) error {
	c := r.certManagerWatch.cache()
	if c == nil {
		return nil
	}
	var found []client.Object
	certs, issuers := &cmv1.CertificateList{}, &cmv1.IssuerList{}
	for _, list := range []client.ObjectList{certs, issuers} {
		if err := c.List(ctx, list, client.MatchingLabels{LabelOwner: cas.Name}); err != nil {
			return fmt.Errorf("listing cert-manager objects: %w", err)
		}
	}
	for i := range certs.Items {
		found = append(found, &certs.Items[i])
	}
	for i := range issuers.Items {
		found = append(found, &issuers.Items[i])
	}
	var errs []error
	for _, o := range found {
		kind := cmv1.CertificateKind
		if _, ok := o.(*cmv1.Issuer); ok {
			kind = cmv1.IssuerKind
		}
		if keep[kind+"/"+o.GetName()] || foreignOwner(o, cas) != "" {
			continue
		}
		uid := o.GetUID()
		if err := r.Client.Delete(ctx, o, client.Preconditions{UID: &uid}); client.IgnoreNotFound(err) != nil && !apierrors.IsConflict(err) {
			errs = append(errs, fmt.Errorf("deleting %s %s/%s no longer wanted: %w", kind, o.GetNamespace(), o.GetName(), err))
		}
	}
	return errors.Join(errs...)
}

// certManagerInstalled says whether cert-manager's CRDs are served (the RESTMapper asks discovery again
// on every miss, so CRDs installed later are found), and once they are, starts watching our Certificates
// and Issuers.
func (r *Reconciler) certManagerInstalled(ctx context.Context) (bool, error) {
	for _, kind := range []string{cmv1.CertificateKind, cmv1.IssuerKind} {
		gk := cmv1.SchemeGroupVersion.WithKind(kind).GroupKind()
		if _, err := r.Client.RESTMapper().RESTMapping(gk, cmv1.SchemeGroupVersion.Version); err != nil {
			if isNoMatch(err) {
				return false, nil
			}
			return false, fmt.Errorf("looking up cert-manager's %s: %w", gk, err)
		}
	}
	if err := r.certManagerWatch.ensure(ctx); err != nil {
		return true, fmt.Errorf("watching cert-manager objects: %w", err)
	}
	return true, nil
}

// observeCertManager mirrors the serving Certificate (and the chain's CA) into status, and makes the
// CustomApiServer the controller of the Secrets cert-manager wrote, so they go with it.
func (r *Reconciler) observeCertManager(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names, cm cmNames) error {
	serving, err := r.readCertificate(ctx, n.Namespace, cm.Serving)
	if err != nil {
		setCertificatesReady(cas, nil, err)
		return err
	}
	st := &aggv1alpha1.CertificatesStatus{ServingNotAfter: serving.Status.NotAfter, NextRenewal: serving.Status.RenewalTime}
	secrets := []string{cm.Serving}
	if cas.Spec.Certificates.CertManager.IssuerRef == nil {
		ca, err := r.readCertificate(ctx, n.Namespace, cm.CACertificate)
		if err != nil {
			setCertificatesReady(cas, nil, err)
			return err
		}
		st.CANotAfter = ca.Status.NotAfter
		secrets = append(secrets, cm.CASecret)
	}
	cas.Status.Certificates = st
	ok, reason, msg := certificateReadiness(serving)
	setCondition(cas, aggv1alpha1.ConditionCertificatesReady, ok, reason, msg)

	var errs []error
	for _, s := range secrets {
		errs = append(errs, r.adoptSecret(ctx, cas, n.Namespace, s))
	}
	return errors.Join(errs...)
}

// certificateReadiness turns a Certificate's Ready condition into CertificatesReady.
func certificateReadiness(c *cmv1.Certificate) (bool, string, string) {
	ref := c.Namespace + "/" + c.Name
	for _, cond := range c.Status.Conditions {
		if cond.Type != cmv1.CertificateConditionReady {
			continue
		}
		if cond.Status == cmmetav1.ConditionTrue {
			return true, aggv1alpha1.ReasonIssued, "cert-manager issued the serving certificate (Certificate " + ref + ")"
		}
		return false, aggv1alpha1.ReasonCertificateNotReady, fmt.Sprintf("Certificate %s is not Ready: %s: %s (see kubectl describe certificate -n %s %s)",
			ref, cond.Reason, cond.Message, c.Namespace, c.Name)
	}
	return false, aggv1alpha1.ReasonCertificateNotReady, "cert-manager has not reported on Certificate " + ref +
		" yet; if this lasts, check that cert-manager's controller runs"
}

// readCertificate reads a Certificate from the API server (cert-manager objects are not in the manager's
// cache: a cache of every Certificate in the cluster is not ours to hold).
func (r *Reconciler) readCertificate(ctx context.Context, ns, name string) (*cmv1.Certificate, error) {
	c := &cmv1.Certificate{}
	if err := r.reader().Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, c); err != nil {
		return nil, fmt.Errorf("reading Certificate %s/%s: %w", ns, name, err)
	}
	return c, nil
}

// adoptSecret makes the CustomApiServer the controller of a Secret cert-manager wrote for it (labelled by
// the Certificate's secretTemplate, without a controller): cert-manager sets no owner, and the Secret
// would otherwise outlive the CustomApiServer. A Secret someone else controls is left alone.
func (r *Reconciler) adoptSecret(ctx context.Context, cas *aggv1alpha1.CustomApiServer, ns, name string) error {
	s := &corev1.Secret{}
	err := r.reader().Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, s)
	if apierrors.IsNotFound(err) {
		return nil // not issued yet
	}
	if err != nil {
		return fmt.Errorf("reading Secret %s/%s: %w", ns, name, err)
	}
	if metav1.GetControllerOf(s) != nil || s.Labels[LabelOwner] != cas.Name {
		return nil
	}
	patch := client.MergeFromWithOptions(s.DeepCopy(), client.MergeFromWithOptimisticLock{})
	if err := controllerutil.SetControllerReference(cas, s, r.Client.Scheme()); err != nil {
		return fmt.Errorf("owning Secret %s/%s: %w", ns, name, err)
	}
	if err := r.Client.Patch(ctx, s, patch, client.FieldOwner(FieldManager)); err != nil && !apierrors.IsConflict(err) {
		return fmt.Errorf("owning Secret %s/%s: %w", ns, name, err)
	}
	return nil
}

// desiredAPIServiceFor is the APIService to apply for s: with the operator's caBundle, or in cert-manager
// mode with cainjector's annotation and no caBundle of the operator's.
func (r *Reconciler) desiredAPIServiceFor(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names, s aggv1alpha1.APIServiceSpec, bundle []byte) (applyConfiguration, error) {
	if cas.Spec.Certificates.CertManager == nil {
		return desiredAPIService(cas, n, s, bundle), nil
	}
	live := &apiregv1.APIService{}
	err := r.Client.Get(ctx, types.NamespacedName{Name: apiServiceName(s)}, live)
	if apierrors.IsNotFound(err) {
		live = nil
	} else if err != nil {
		return nil, fmt.Errorf("reading APIService %s: %w", apiServiceName(s), err)
	}
	return desiredCertManagerAPIService(cas, n, s, caBundleToKeep(live)), nil
}

// caBundleToKeep is the live caBundle when the operator is its only manager (it set it before the switch
// to cert-manager mode), nil otherwise. Applying it unchanged keeps the API trusted until cainjector
// writes its own; once cainjector has, the operator no longer manages the field and leaves it out.
func caBundleToKeep(live *apiregv1.APIService) []byte {
	if live == nil || len(live.Spec.CABundle) == 0 {
		return nil
	}
	for _, m := range live.ManagedFields {
		if m.Manager != FieldManager && managesCABundle(m) {
			return nil
		}
	}
	return live.Spec.CABundle
}

// managesCABundle says whether a managedFields entry holds spec.caBundle.
func managesCABundle(m metav1.ManagedFieldsEntry) bool {
	if m.FieldsV1 == nil {
		return false
	}
	var fields struct {
		Spec map[string]json.RawMessage `json:"f:spec"`
	}
	if err := json.Unmarshal(m.FieldsV1.GetRawBytes(), &fields); err != nil {
		return false
	}
	_, ok := fields.Spec["f:caBundle"]
	return ok
}
