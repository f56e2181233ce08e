package sim

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"encoding/json"
	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	corev1 "k8s.io/api/core/v1"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// An AWS account holding one VPC Terraform created (SIMULATED), as a Terraform state lists it.
func terraformVPC() *Inventory {
	return NewInventory([]InventoryResource{
		{Type: "aws_vpc", Attributes: map[string]any{
			"id": "vpc-5542f08beac71eece", "arn": "arn:aws:ec2:eu-north-1:123456789012:vpc/vpc-5542f08beac71eece",
			"cidr_block": "10.0.0.0/16", "enable_dns_support": true, "tags": map[string]any{"Name": "vpc-old"},
		}},
		{Type: "random_password", Attributes: map[string]any{"id": "none"}},
	})
}

func withInventory(w *world, inv *Inventory) {
	for _, r := range w.recs {
		r.Inventory = inv
	}
}

// settleTestVPC settles the VPC, lets a minute pass (the simulated AWS delay) and settles it again.
func settleTestVPC(w *world) {
	w.settle(gvkVPC, "vpc-test")
	w.now = w.now.Add(time.Minute)
	w.settle(gvkVPC, "vpc-test")
}

func adoptedVPC(policies, externalName string) string {
	return strings.Replace(strings.Replace(vpc, "spec:\n", "spec:\n  managementPolicies: "+policies+"\n", 1),
		"labels: {tier: main}", "labels: {tier: main}, annotations: {crossplane.io/external-name: "+externalName+"}", 1)
}

func TestInventoryIndexesByTheProvidersExternalName(t *testing.T) {
	inv := NewInventory([]InventoryResource{
		{Type: "aws_route", Attributes: map[string]any{"id": "r-rtb-1080289494", "route_table_id": "rtb-1", "destination_cidr_block": "0.0.0.0/0"}},
		{Type: "aws_ecs_service", Attributes: map[string]any{"id": "arn:aws:ecs:eu-north-1:1:service/c/svc", "name": "svc"}},
		{Type: "aws_rds_cluster", Attributes: map[string]any{"id": "db", "cluster_identifier": "db"}},
	})
	for _, c := range []struct{ group, kind, name string }{
		{"ec2.aws.m.upbound.io", "Route", "rtb-1_0.0.0.0/0"},
		{"ecs.aws.m.upbound.io", "Service", "svc"},
		{"rds.aws.m.upbound.io", "Cluster", "db"},
	} {
		if _, ok := inv.Lookup(gk(c.group, c.kind), c.name); !ok {
			t.Errorf("%s %s not found", c.kind, c.name)
		}
	}
	if _, ok := inv.Lookup(gk("ecs.aws.m.upbound.io", "Service"), "arn:aws:ecs:eu-north-1:1:service/c/svc"); ok {
		t.Error("an ECS service is named by its name, not the Terraform id")
	}
}

func TestToProviderAndDrift(t *testing.T) {
	// GIVEN Terraform attributes with a singleton block the namespaced API made an object
	s := obj(t, `
type: object
properties:
  cidrBlock: {type: string}
  deploymentCircuitBreaker: {type: object, properties: {enable: {type: boolean}, rollback: {type: boolean}}}
  capacityProviderStrategy: {type: array, items: {type: object, properties: {capacityProvider: {type: string}, weight: {type: number}, base: {type: number}}}}
  tags: {type: object, additionalProperties: {type: string}}
  policy: {type: string}`).Object
	schemaProps := toSchema(t, s)
	aws := ToProvider(map[string]any{
		"cidr_block":                 "10.0.0.0/16",
		"deployment_circuit_breaker": []any{map[string]any{"enable": true, "rollback": true}},
		"capacity_provider_strategy": []any{map[string]any{"capacity_provider": "FARGATE_SPOT", "weight": float64(1), "base": float64(0)}},
		"tags":                       map[string]any{"Name": "old", "team": "x"},
		"policy":                     `{"b":1,"a":2}`,
		"unknown_attribute":          "dropped",
	}, schemaProps).(map[string]any)
	if _, ok := aws["unknownAttribute"]; ok || aws["deploymentCircuitBreaker"].(map[string]any)["rollback"] != true {
		t.Fatalf("converted = %v", aws)
	}
	// WHEN compared with a desired spec
	desired := map[string]any{
		"region": "eu-north-1", "cidrBlock": "10.0.0.0/16", "vpcIdRef": map[string]any{"name": "x"},
		"deploymentCircuitBreaker": map[string]any{"enable": true, "rollback": false},
		"capacityProviderStrategy": []any{map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": int64(1)}},
		"tags":                     map[string]any{"Name": "new"},
		"policy":                   `{"a":2,"b":1}`,
	}
	// THEN exactly the differing leaves, the tag keys changed or removed, are drift
	got := Drift(desired, aws, schemaProps, "spec.forProvider")
	want := []string{"spec.forProvider.deploymentCircuitBreaker.rollback", "spec.forProvider.tags.Name", "spec.forProvider.tags.team"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("drift = %v, want %v", got, want)
	}
	// AND after the update AWS holds the desired values
	Apply(aws, desired, schemaProps)
	if d := Drift(desired, aws, schemaProps, "spec.forProvider"); len(d) != 0 {
		t.Errorf("drift after apply = %v", d)
	}
}

func TestInventoryObserveOnlyReadsWhatAWSHoldsAndNeverWrites(t *testing.T) {
	// GIVEN an Observe-only VPC naming the VPC Terraform created
	w := newWorld(t, adoptedVPC("[Observe]", "vpc-5542f08beac71eece"))
	withInventory(w, terraformVPC())
	settleTestVPC(w)
	v := w.get(gvkVPC, "vpc-test")
	// THEN it is Ready with AWS's values in status.atProvider (not the spec's), nothing written to AWS
	if cond(v, xpv1.TypeReady).Status != corev1.ConditionTrue || cond(v, xpv1.TypeSynced).Status != corev1.ConditionTrue {
		t.Errorf("conditions = %v", v.Object["status"])
	}
	if str(t, v, "status", "atProvider", "arn") != "arn:aws:ec2:eu-north-1:123456789012:vpc/vpc-5542f08beac71eece" ||
		str(t, v, "status", "atProvider", "tags", "Name") != "vpc-old" {
		t.Errorf("atProvider = %v", v.Object["status"].(map[string]any)["atProvider"])
	}
	if len(w.records()) != 0 {
		t.Errorf("records = %v", w.records())
	}
}

func TestInventoryObserveOnlyMissingIsReportedNotCreated(t *testing.T) {
	// GIVEN an Observe-only VPC whose external name AWS does not hold
	w := newWorld(t, adoptedVPC("[Observe]", "vpc-0000000000000000f"))
	withInventory(w, terraformVPC())
	w.reconcile(gvkVPC, "vpc-test")
	res := w.reconcile(gvkVPC, "vpc-test")
	v := w.get(gvkVPC, "vpc-test")
	// THEN crossplane-runtime v2.2.0 reconciler.go:1140-1145: Synced=False, ReconcileError, requeued; Ready never set
	c := cond(v, xpv1.TypeSynced)
	if !res.Requeue || c.Status != corev1.ConditionFalse || c.Reason != xpv1.ReasonReconcileError || c.Message != "observe failed: external resource does not exist" {
		t.Errorf("result %v, Synced = %v", res, c)
	}
	if cond(v, xpv1.TypeReady).Status != corev1.ConditionUnknown || len(w.records()) != 0 {
		t.Errorf("Ready = %v, records = %v", cond(v, xpv1.TypeReady), w.records())
	}
}

func TestInventoryManageUpdatesOnlyTheDrift(t *testing.T) {
	// GIVEN the same VPC managed without Delete, whose Name tag differs from AWS
	w := newWorld(t, adoptedVPC("[Observe, Create, Update, LateInitialize]", "vpc-5542f08beac71eece"))
	withInventory(w, terraformVPC())
	settleTestVPC(w)
	// THEN one update, of the tags only (ours and the Tagger's), no create; AWS then holds them
	recs := w.records()
	if len(recs) != 1 || recs[0]["action"] != "update" {
		t.Fatalf("records = %v", recs)
	}
	want := []any{"spec.forProvider.tags.Name", "spec.forProvider.tags.crossplane-kind", "spec.forProvider.tags.crossplane-name", "spec.forProvider.tags.crossplane-providerconfig"}
	if !reflect.DeepEqual(recs[0]["fields"], want) {
		t.Errorf("fields = %v", recs[0]["fields"])
	}
	if v := w.get(gvkVPC, "vpc-test"); str(t, v, "status", "atProvider", "tags", "Name") != "vpc-test" {
		t.Errorf("atProvider after update = %v", v.Object["status"])
	}
	// WHEN deleted under a policy without Delete THEN AWS keeps it (reconciler.go:972-1021)
	if err := w.c.Delete(context.Background(), w.get(gvkVPC, "vpc-test").Unstructured); err != nil {
		t.Fatal(err)
	}
	w.settle(gvkVPC, "vpc-test")
	m := NewManaged(gvkVPC)
	if err := w.c.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: "vpc-test"}, m.Unstructured); err == nil {
		t.Errorf("object still there with finalizers %v", m.GetFinalizers())
	}
	if recs := w.records(); len(recs) != 2 || recs[1]["action"] != "orphan" {
		t.Errorf("records = %v", recs)
	}
}

func gk(group, kind string) schema.GroupKind { return schema.GroupKind{Group: group, Kind: kind} }

func toSchema(t *testing.T, m map[string]any) *apiextensionsv1.JSONSchemaProps {
	t.Helper()
	b, _ := json.Marshal(m)
	s := &apiextensionsv1.JSONSchemaProps{}
	if err := json.Unmarshal(b, s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInventoryResourceDeletedInAWSIsGoneForEveryone(t *testing.T) {
	// GIVEN the Terraform VPC adopted with every policy, deleted through Crossplane
	inv := terraformVPC()
	w := newWorld(t, adoptedVPC("['*']", "vpc-5542f08beac71eece"))
	withInventory(w, inv)
	w.settle(gvkVPC, "vpc-test")
	if err := w.c.Delete(context.Background(), w.get(gvkVPC, "vpc-test").Unstructured); err != nil {
		t.Fatal(err)
	}
	w.settle(gvkVPC, "vpc-test")
	recs := w.records()
	if last := recs[len(recs)-1]; last["action"] != "delete" || last["externalName"] != "vpc-5542f08beac71eece" {
		t.Fatalf("records = %v", recs)
	}
	// THEN AWS no longer holds it: another object naming it finds nothing
	if _, ok := inv.Lookup(gvkVPC.GroupKind(), "vpc-5542f08beac71eece"); ok {
		t.Error("a deleted resource is still in the account")
	}
}

func TestInventoryTaskDefinitionFamilyNumbersOn(t *testing.T) {
	// GIVEN an account holding revision 3 of family catalog-api-prod
	inv := NewInventory([]InventoryResource{{Type: "aws_ecs_task_definition", Attributes: map[string]any{
		"arn": "arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api-prod:3", "family": "catalog-api-prod", "revision": float64(3),
	}}})
	// THEN the next registration of that family is revision 4; another family or region starts at 1
	r := &Reconciler{GVK: gvkTaskDef, Inventory: inv}
	for _, c := range []struct {
		region, family string
		want           int64
	}{{"eu-north-1", "catalog-api-prod", 4}, {"eu-north-1", "other", 1}, {"us-east-1", "catalog-api-prod", 1}} {
		mg := NewManaged(gvkTaskDef)
		_ = unstructured.SetNestedField(mg.Object, c.family, "spec", "forProvider", "family")
		_ = unstructured.SetNestedField(mg.Object, c.region, "spec", "forProvider", "region")
		if got := r.registerRevision(mg); got != c.want {
			t.Errorf("%s %s: revision %d, want %d", c.region, c.family, got, c.want)
		}
	}
}

func TestInventoryUpdateAppliesTheSpecItStartedWith(t *testing.T) {
	// GIVEN an update of the adopted VPC in flight
	w := newWorld(t, adoptedVPC("[Observe, Create, Update, LateInitialize]", "vpc-5542f08beac71eece"))
	withInventory(w, terraformVPC())
	for i := 0; i < 10 && w.recs[gvkVPC].ext(w.get(gvkVPC, "vpc-test")).op != "update"; i++ {
		w.reconcile(gvkVPC, "vpc-test")
	}
	// WHEN the spec changes before it completes
	v := w.get(gvkVPC, "vpc-test")
	_ = unstructured.SetNestedField(v.Object, "10.9.0.0/16", "spec", "forProvider", "cidrBlock")
	if err := w.c.Update(context.Background(), v.Unstructured); err != nil {
		t.Fatal(err)
	}
	settleTestVPC(w)
	// THEN the first update wrote what it started with, the second the later change, each recording its fields
	recs := w.records()
	if len(recs) != 2 || !reflect.DeepEqual(recs[1]["fields"], []any{"spec.forProvider.cidrBlock"}) {
		t.Errorf("records = %v", recs)
	}
}

func TestAdoptedServiceClusterFollowsTheConfiguredFormat(t *testing.T) {
	service := func(cluster string) *Managed {
		m := NewManaged(schema.GroupVersionKind{Group: "ecs.aws.m.upbound.io", Version: "v1beta1", Kind: "Service"})
		if cluster != "" {
			_ = unstructured.SetNestedField(m.Object, cluster, "spec", "forProvider", "cluster")
		}
		return m
	}
	const arn = "arn:aws:ecs:eu-north-1:123456789012:cluster/ecs-cluster-prod"
	svc := gk("ecs.aws.m.upbound.io", "Service")
	for _, c := range []struct {
		name       string
		gk         schema.GroupKind
		configured string
		want       string
	}{
		// GIVEN Terraform's state holding the cluster's ARN
		// WHEN the reference resolved to the name THEN AWS reads back the name: no drift
		{"name configured", svc, "ecs-cluster-prod", "ecs-cluster-prod"},
		// WHEN an ARN is configured THEN the ARN stays
		{"ARN configured", svc, arn, arn},
		// WHEN nothing is configured yet THEN the state's value stays
		{"nothing configured", svc, "", arn},
		// WHEN another kind has a cluster attribute THEN it is not touched
		{"other kind", gk("ecs.aws.m.upbound.io", "TaskDefinition"), "ecs-cluster-prod", arn},
	} {
		aws := map[string]any{"cluster": arn}
		followConfiguredFormat(c.gk, aws, service(c.configured))
		if aws["cluster"] != c.want {
			t.Errorf("%s: cluster = %v, want %v", c.name, aws["cluster"], c.want)
		}
	}
}
