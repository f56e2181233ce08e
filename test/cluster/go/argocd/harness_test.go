package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v3/controller"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func obj(apiVersion, kind, ns, name string, annotations map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	u.SetNamespace(ns)
	u.SetName(name)
	if annotations != nil {
		u.SetAnnotations(annotations)
	}
	return u
}

func project() *v1alpha1.AppProject {
	return &v1alpha1.AppProject{
		ObjectMeta: metav1.ObjectMeta{Name: "catalog-api"},
		Spec: v1alpha1.AppProjectSpec{
			Destinations:               []v1alpha1.ApplicationDestination{{Server: v1alpha1.KubernetesInternalAPIServerAddr, Namespace: "catalog-api-pr1"}},
			NamespaceResourceWhitelist: []v1alpha1.GroupKind{{Group: "ec2.aws.m.upbound.io", Kind: "VPC"}},
			ClusterResourceWhitelist:   []v1alpha1.ClusterResourceRestrictionItem{{Group: "", Kind: "Namespace"}},
		},
	}
}

func TestPermissionValidatorRejectsWhatTheProjectDoesNotPermit(t *testing.T) {
	validate := permissionValidator(project())
	namespaced := &metav1.APIResource{Namespaced: true}
	cases := []struct {
		obj  *unstructured.Unstructured
		res  *metav1.APIResource
		want string
	}{
		{obj("ec2.aws.m.upbound.io/v1beta1", "VPC", "catalog-api-pr1", "vpc", nil), namespaced, ""},
		{obj("ec2.aws.m.upbound.io/v1beta1", "VPC", "catalog-api-pr2", "vpc", nil), namespaced, "namespace catalog-api-pr2 is not permitted in project 'catalog-api'"},
		{obj("ec2.aws.m.upbound.io/v1beta1", "Subnet", "catalog-api-pr1", "a", nil), namespaced, "resource ec2.aws.m.upbound.io:Subnet is not permitted in project catalog-api"},
		{obj("v1", "Namespace", "", "catalog-api-pr1", nil), &metav1.APIResource{}, ""},
		{obj("rbac.authorization.k8s.io/v1", "ClusterRole", "", "x", nil), &metav1.APIResource{}, "resource rbac.authorization.k8s.io:ClusterRole is not permitted in project catalog-api"},
	}
	for _, c := range cases {
		err := validate(c.obj, c.res)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s %s/%s: got %q, want %q", c.obj.GetKind(), c.obj.GetNamespace(), c.obj.GetName(), got, c.want)
		}
	}
}

func TestShouldBeDeletedHonoursDeleteFalseAndCRDs(t *testing.T) {
	app := &v1alpha1.Application{ObjectMeta: metav1.ObjectMeta{Name: "pr1", Namespace: "argocd"}}
	cases := map[string]struct {
		obj  *unstructured.Unstructured
		want bool
	}{
		"plain":        {obj("ec2.aws.m.upbound.io/v1beta1", "VPC", "ns", "vpc", nil), true},
		"Delete=false": {obj("rds.aws.m.upbound.io/v1beta1", "Cluster", "ns", "db", map[string]string{"argocd.argoproj.io/sync-options": "Prune=false,Delete=false"}), false},
		"crd":          {obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "x", nil), false},
		"helm keep":    {obj("v1", "ConfigMap", "ns", "c", map[string]string{"helm.sh/resource-policy": "keep"}), false},
		"self":         {obj("argoproj.io/v1alpha1", "Application", "argocd", "pr1", nil), false},
	}
	for name, c := range cases {
		if got := shouldBeDeleted(app, c.obj); got != c.want {
			t.Errorf("%s: got %v, want %v", name, got, c.want)
		}
	}
	app.Spec.SyncPolicy = &v1alpha1.SyncPolicy{SyncOptions: v1alpha1.SyncOptions{"Delete=false"}}
	if shouldBeDeleted(app, obj("ec2.aws.m.upbound.io/v1beta1", "VPC", "ns", "vpc", nil)) {
		t.Errorf("Application-level Delete=false must keep every object")
	}
}

func TestDeletionTakesTheHighestWaveFirst(t *testing.T) {
	wave := func(name, w string) *unstructured.Unstructured {
		return obj("v1", "ConfigMap", "ns", name, map[string]string{"argocd.argoproj.io/sync-wave": w})
	}
	got := controller.FilterObjectsForDeletion([]*unstructured.Unstructured{wave("a", "-1"), wave("b", "2"), wave("c", "0"), wave("d", "2")})
	var names []string
	for _, o := range got {
		names = append(names, o.GetName())
	}
	if strings.Join(names, ",") != "b,d" && strings.Join(names, ",") != "d,b" {
		t.Errorf("got %v, want the wave-2 objects b and d only", names)
	}
}

func TestOnlyDeleteHooksAreLeftOutOfTheSync(t *testing.T) {
	cases := map[string]bool{"PostSync": false, "PreDelete": true, "PostDelete": true, "PostDelete,PostSync": false, "Skip": false}
	for h, want := range cases {
		if got := onlyDeleteHook(obj("batch/v1", "Job", "ns", "j", map[string]string{"argocd.argoproj.io/hook": h})); got != want {
			t.Errorf("hook %q: got %v, want %v", h, got, want)
		}
	}
}

func TestRespectIgnoreDifferencesKeepsLiveValuesOfIgnoredFieldsOnly(t *testing.T) {
	target := map[string]any{"spec": map[string]any{"forProvider": map[string]any{
		"loadBalancer": []any{map[string]any{"containerPort": int64(8080)}},
		"desiredCount": int64(2),
	}}}
	// normalization removed the ignored list from the target
	normalized := map[string]any{"spec": map[string]any{"forProvider": map[string]any{"desiredCount": int64(2)}}}
	live := map[string]any{"spec": map[string]any{"forProvider": map[string]any{
		"loadBalancer": []any{map[string]any{"containerPort": int64(8080), "targetGroupArn": "arn:aws:elasticloadbalancing:x"}},
		"desiredCount": int64(3),
	}}}
	keepLiveWhereIgnored(target, normalized, live)
	want := map[string]any{"spec": map[string]any{"forProvider": map[string]any{
		"loadBalancer": []any{map[string]any{"containerPort": int64(8080), "targetGroupArn": "arn:aws:elasticloadbalancing:x"}},
		"desiredCount": int64(2),
	}}}
	if !reflect.DeepEqual(target, want) {
		t.Errorf("got %v, want %v", target, want)
	}
}

func TestAppManifestsCarryTheAnnotationTrackingID(t *testing.T) {
	root := t.TempDir()
	dist := filepath.Join(root, "dist")
	if err := os.MkdirAll(filepath.Join(dist, "environments", "pr1", "nested"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(p, s string) {
		if err := os.WriteFile(filepath.Join(dist, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("environments/pr1/a.yaml", "apiVersion: ec2.aws.m.upbound.io/v1beta1\nkind: VPC\nmetadata:\n  name: vpc\n  namespace: catalog-api-pr1\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: catalog-api-pr1\n")
	write("environments/pr1/nested/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ignored\n")
	app := &v1alpha1.Application{
		ObjectMeta: metav1.ObjectMeta{Name: "catalog-api-pr1", Namespace: "argocd"},
		Spec: v1alpha1.ApplicationSpec{
			Source:      &v1alpha1.ApplicationSource{Path: "dist/environments/pr1"},
			Destination: v1alpha1.ApplicationDestination{Namespace: "catalog-api-pr1"},
		},
	}
	objs, err := appManifests(dist, app)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range objs {
		got[o.GetKind()] = o.GetAnnotations()["argocd.argoproj.io/tracking-id"]
	}
	want := map[string]string{
		"VPC":       "catalog-api-pr1:ec2.aws.m.upbound.io/VPC:catalog-api-pr1/vpc",
		"Namespace": "catalog-api-pr1:/Namespace:catalog-api-pr1/catalog-api-pr1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v (nested folders are read only with directory.recurse)", got, want)
	}
}
