package sim

import (
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func crd(group, kind string, scope apiextensionsv1.ResourceScope, categories []string, established bool, versions ...apiextensionsv1.CustomResourceDefinitionVersion) apiextensionsv1.CustomResourceDefinition {
	c := apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: kind + "s." + group},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: group, Scope: scope, Versions: versions,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: kind, Categories: categories},
		},
	}
	if established {
		c.Status.Conditions = []apiextensionsv1.CustomResourceDefinitionCondition{{Type: apiextensionsv1.Established, Status: apiextensionsv1.ConditionTrue}}
	}
	return c
}

func TestManagedKindsSelectsNamespacedManagedResourcesAtTheirStorageVersion(t *testing.T) {
	managedCats := []string{"crossplane", "managed", "aws"}
	status := apiextensionsv1.JSONSchemaProps{Properties: map[string]apiextensionsv1.JSONSchemaProps{
		"atProvider": {Properties: map[string]apiextensionsv1.JSONSchemaProps{"id": {Type: "string"}}},
	}}
	v1beta1 := apiextensionsv1.CustomResourceDefinitionVersion{Name: "v1beta1", Served: true, Storage: true,
		Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Properties: map[string]apiextensionsv1.JSONSchemaProps{"status": status}}}}
	v1beta2 := apiextensionsv1.CustomResourceDefinitionVersion{Name: "v1beta2", Served: true, Storage: false}
	// GIVEN CRDs of managed and other kinds
	crds := []apiextensionsv1.CustomResourceDefinition{
		crd("ec2.aws.m.upbound.io", "VPC", apiextensionsv1.NamespaceScoped, managedCats, true, v1beta2, v1beta1),
		crd("aws.m.upbound.io", "ProviderConfig", apiextensionsv1.NamespaceScoped, []string{"crossplane", "provider", "aws"}, true, v1beta1),
		crd("ec2.aws.upbound.io", "VPC", apiextensionsv1.ClusterScoped, managedCats, true, v1beta1),
		crd("rds.aws.m.upbound.io", "Cluster", apiextensionsv1.NamespaceScoped, managedCats, false, v1beta1),
		crd("kubernetes.m.crossplane.io", "Object", apiextensionsv1.NamespaceScoped, managedCats, true, v1beta1),
	}
	// WHEN the managed kinds are selected
	got := ManagedKinds(crds)
	// THEN only the established namespaced managed resource of *.aws.m.upbound.io is, at its storage version, with its atProvider schema
	if len(got) != 1 || got[0].GVK.String() != "ec2.aws.m.upbound.io/v1beta1, Kind=VPC" || got[0].AtProviderSchema == nil {
		t.Fatalf("got %+v", got)
	}
	if _, ok := got[0].AtProviderSchema.Properties["id"]; !ok {
		t.Error("atProvider schema not kept")
	}
}
