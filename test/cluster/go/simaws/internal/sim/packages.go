package sim

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/go-logr/logr"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// ProviderPackageGVK is Crossplane's Provider package (crossplane v2.3.4 apis/pkg/v1/provider_types.go).
var ProviderPackageGVK = schema.GroupVersionKind{Group: "pkg.crossplane.io", Version: "v1", Kind: "Provider"}

// SimulatedProviderVersion is the provider-upjet-aws release whose managed resources this program simulates.
const SimulatedProviderVersion = "v2.6.0"

// Condition types and reasons of a healthy package, as Crossplane v2.3.4's package manager writes
// them (apis/pkg/v1/conditions.go:31,34 TypeInstalled/TypeHealthy, :47 ReasonActive, :49 ReasonHealthy)
// and as Argo CD v3.5.1's health check of pkg.crossplane.io/Provider reads them
// (resource_customizations/pkg.crossplane.io/Provider/health.lua: Healthy when both are True).
const (
	conditionInstalled = "Installed"
	conditionHealthy   = "Healthy"
	reasonActive       = "ActivePackageRevision"
	reasonHealthy      = "HealthyPackageRevision"
)

// awsFamilyPackage matches the packages of the provider-upjet-aws family: one per AWS service
// (provider-aws-ec2, ...) plus provider-family-aws, in the registries they are published to.
var awsFamilyPackage = regexp.MustCompile(`^(?:xpkg\.crossplane\.io/crossplane-contrib|xpkg\.upbound\.io/upbound)/provider-(?:family-aws|aws-[a-z0-9]+):(v[0-9][0-9A-Za-z.+-]*)$`)

// SimulatedPackage reports whether a Provider's spec.package names a provider-upjet-aws family package
// at the version this program simulates, and the version it names.
func SimulatedPackage(pkg string) (version string, simulated bool) {
	m := awsFamilyPackage.FindStringSubmatch(pkg)
	if m == nil {
		return "", false
	}
	return m[1], m[1] == SimulatedProviderVersion
}

// PackageReconciler is a SIMULATED stand-in for Crossplane's package manager, for the
// provider-upjet-aws packages only, because this program is what runs in their place.
//
// Crossplane's package manager resolves a Provider's package to a digest and pulls its OCI image
// (crossplane v2.3.4 internal/controller/pkg/manager/reconciler.go:314-329, through
// crossplane-runtime's xpkg CachedClient.Get, which needs the registry even for a cached package
// named by tag), then runs the provider as a Deployment. The test cluster has no registry and no
// kubelet, so the real manager marks every such Provider Unpacking/Unhealthy, which Argo CD judges
// Degraded. For a package of the family at SimulatedProviderVersion this reconciler pauses the real
// manager on that Provider (annotation crossplane.io/paused, honoured first thing in
// reconciler.go:288-296) and writes the conditions the manager writes once the revision is active and
// healthy (reconciler.go:423-430), with a message saying they are SIMULATED. A package of another
// version is left to the real manager, so it shows as it would: not installable here.
type PackageReconciler struct {
	Client client.Client
	Log    logr.Logger
	Now    func() time.Time
}

func (r *PackageReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Reconcile pauses the real package manager on a simulated package and marks it installed and healthy.
func (r *PackageReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	p := &unstructured.Unstructured{}
	p.SetGroupVersionKind(ProviderPackageGVK)
	if err := r.Client.Get(ctx, req.NamespacedName, p); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if p.GetDeletionTimestamp() != nil {
		return reconcile.Result{}, nil
	}
	source, _, _ := unstructured.NestedString(p.Object, "spec", "package")
	version, ok := SimulatedPackage(source)
	if !ok {
		if version != "" {
			r.Log.Info("SIMULATED package manager: not standing in for this package (this program simulates "+SimulatedProviderVersion+")",
				"provider", p.GetName(), "package", source)
		}
		return reconcile.Result{}, nil
	}
	if !meta.IsPaused(p) {
		patch := []byte(fmt.Sprintf(`{"metadata":{"annotations":{%q:"true"}}}`, meta.AnnotationKeyReconciliationPaused))
		if err := r.Client.Patch(ctx, p, client.RawPatch(types.MergePatchType, patch)); err != nil {
			return reconcile.Result{}, err
		}
		r.Log.Info("SIMULATED package manager: paused Crossplane's package manager on this Provider (no registry to pull it from)",
			"provider", p.GetName(), "package", source)
	}
	msg := fmt.Sprintf("SIMULATED: %s is not pulled (no registry in the test cluster); simulated-aws serves its managed resources", source)
	return reconcile.Result{}, retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur := &unstructured.Unstructured{}
		cur.SetGroupVersionKind(ProviderPackageGVK)
		if err := r.Client.Get(ctx, req.NamespacedName, cur); err != nil {
			return client.IgnoreNotFound(err)
		}
		changed := setPackageCondition(cur, conditionInstalled, reasonActive, msg, r.now())
		changed = setPackageCondition(cur, conditionHealthy, reasonHealthy, msg, r.now()) || changed
		if !changed {
			return nil
		}
		if err := r.Client.Status().Update(ctx, cur); err != nil {
			if kerrors.IsConflict(err) {
				return err
			}
			return fmt.Errorf("cannot update status of Provider %s: %w", cur.GetName(), err)
		}
		r.Log.Info("SIMULATED package manager: Provider marked Installed and Healthy", "provider", cur.GetName(), "package", source)
		return nil
	})
}

// setPackageCondition sets condition `typ` to True with reason and message; reports whether it changed.
func setPackageCondition(p *unstructured.Unstructured, typ, reason, message string, now time.Time) bool {
	if _, ok := p.Object["status"].(map[string]any); !ok {
		// a Provider nobody has reconciled yet has "status": null
		p.Object["status"] = map[string]any{}
	}
	conds, _, _ := unstructured.NestedSlice(p.Object, "status", "conditions")
	want := map[string]any{
		"type": typ, "status": "True", "reason": reason, "message": message,
		"lastTransitionTime": metav1.NewTime(now).UTC().Format(time.RFC3339),
	}
	for i, c := range conds {
		cm, _ := c.(map[string]any)
		if cm["type"] != typ {
			continue
		}
		if cm["status"] == "True" && cm["reason"] == reason && cm["message"] == message {
			return false
		}
		conds[i] = want
		_ = unstructured.SetNestedSlice(p.Object, conds, "status", "conditions")
		return true
	}
	_ = unstructured.SetNestedSlice(p.Object, append(conds, want), "status", "conditions")
	return true
}
