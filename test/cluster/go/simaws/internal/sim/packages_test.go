package sim

import (
	"context"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

func packageWorld(t *testing.T, pkgs ...string) (*PackageReconciler, func(name string) *unstructured.Unstructured) {
	t.Helper()
	mapper := apimeta.NewDefaultRESTMapper(nil)
	mapper.Add(ProviderPackageGVK, apimeta.RESTScopeRoot)
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(ProviderPackageGVK)
	b := fake.NewClientBuilder().WithScheme(runtime.NewScheme()).WithRESTMapper(mapper).WithStatusSubresource(u)
	for i, p := range pkgs {
		o := &unstructured.Unstructured{}
		o.SetGroupVersionKind(ProviderPackageGVK)
		o.SetName([]string{"a", "b", "c", "d"}[i])
		_ = unstructured.SetNestedField(o.Object, p, "spec", "package")
		b = b.WithObjects(o)
	}
	c := b.Build()
	r := &PackageReconciler{Client: c, Log: testr.New(t), Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	get := func(name string) *unstructured.Unstructured {
		o := &unstructured.Unstructured{}
		o.SetGroupVersionKind(ProviderPackageGVK)
		if err := c.Get(context.Background(), types.NamespacedName{Name: name}, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	return r, get
}

func conditionOf(o *unstructured.Unstructured, typ string) map[string]any {
	conds, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
	for _, c := range conds {
		if m := c.(map[string]any); m["type"] == typ {
			return m
		}
	}
	return nil
}

func TestPackageStandInMarksTheSimulatedFamilyInstalledAndHealthy(t *testing.T) {
	// GIVEN a provider-upjet-aws family package at the simulated version
	r, get := packageWorld(t, "xpkg.crossplane.io/crossplane-contrib/provider-aws-ec2:v2.6.0")
	// WHEN it is reconciled twice (the second run must change nothing)
	for i := 0; i < 2; i++ {
		if _, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: types.NamespacedName{Name: "a"}}); err != nil {
			t.Fatal(err)
		}
	}
	p := get("a")
	// THEN the real package manager is paused on it and it carries the conditions Argo CD reads as Healthy
	if p.GetAnnotations()["crossplane.io/paused"] != "true" {
		t.Errorf("annotations = %v, want crossplane.io/paused=true", p.GetAnnotations())
	}
	for typ, reason := range map[string]string{"Installed": "ActivePackageRevision", "Healthy": "HealthyPackageRevision"} {
		c := conditionOf(p, typ)
		if c == nil || c["status"] != "True" || c["reason"] != reason {
			t.Errorf("condition %s = %v, want True %s", typ, c, reason)
		}
	}
	if conds, _, _ := unstructured.NestedSlice(p.Object, "status", "conditions"); len(conds) != 2 {
		t.Errorf("conditions = %v, want exactly Installed and Healthy", conds)
	}
}

func TestPackageStandInLeavesOtherPackagesToTheRealManager(t *testing.T) {
	// GIVEN another version of the family, and a package of another provider
	r, get := packageWorld(t, "xpkg.crossplane.io/crossplane-contrib/provider-aws-ec2:v2.7.0", "xpkg.crossplane.io/crossplane-contrib/provider-kubernetes:v1.2.1")
	for _, n := range []string{"a", "b"} {
		if _, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: types.NamespacedName{Name: n}}); err != nil {
			t.Fatal(err)
		}
		// THEN neither is paused nor given conditions
		p := get(n)
		if len(p.GetAnnotations()) != 0 || conditionOf(p, "Healthy") != nil {
			t.Errorf("%s: annotations %v, status %v; want both untouched", n, p.GetAnnotations(), p.Object["status"])
		}
	}
}
