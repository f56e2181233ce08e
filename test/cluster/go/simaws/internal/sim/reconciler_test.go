package sim

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/yaml"
)

const ns = "catalog-api-test"

var (
	gvkVPC           = schema.GroupVersionKind{Group: "ec2.aws.m.upbound.io", Version: "v1beta1", Kind: "VPC"}
	gvkSubnet        = schema.GroupVersionKind{Group: "ec2.aws.m.upbound.io", Version: "v1beta1", Kind: "Subnet"}
	gvkSubnetGroup   = schema.GroupVersionKind{Group: "rds.aws.m.upbound.io", Version: "v1beta1", Kind: "SubnetGroup"}
	gvkRDSCluster    = schema.GroupVersionKind{Group: "rds.aws.m.upbound.io", Version: "v1beta1", Kind: "Cluster"}
	gvkTaskDef       = schema.GroupVersionKind{Group: "ecs.aws.m.upbound.io", Version: "v1beta1", Kind: "TaskDefinition"}
	gvkLB            = schema.GroupVersionKind{Group: "elbv2.aws.m.upbound.io", Version: "v1beta1", Kind: "LB"}
	gvkDistribution  = schema.GroupVersionKind{Group: "cloudfront.aws.m.upbound.io", Version: "v1beta1", Kind: "Distribution"}
	gvkProviderConfg = schema.GroupVersionKind{Group: "aws.m.upbound.io", Version: "v1beta1", Kind: "ProviderConfig"}
	allKinds         = []schema.GroupVersionKind{gvkVPC, gvkSubnet, gvkSubnetGroup, gvkRDSCluster, gvkTaskDef, gvkLB, gvkDistribution}
)

// world is a fake API server plus one reconciler per kind sharing a clock and a record file.
type world struct {
	t      *testing.T
	c      client.Client
	now    time.Time
	rec    string
	recs   map[schema.GroupVersionKind]*Reconciler
	refs   References
	record *Recorder
}

func newWorld(t *testing.T, objs ...string) *world {
	t.Helper()
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	mapper := apimeta.NewDefaultRESTMapper(nil)
	for _, g := range append(allKinds, gvkProviderConfg) {
		mapper.Add(g, apimeta.RESTScopeNamespace)
	}
	mapper.Add(corev1.SchemeGroupVersion.WithKind("Secret"), apimeta.RESTScopeNamespace)
	pc := obj(t, `
apiVersion: aws.m.upbound.io/v1beta1
kind: ProviderConfig
metadata: {name: aws, namespace: `+ns+`}
spec: {credentials: {source: IRSA}}`)
	b := fake.NewClientBuilder().WithScheme(scheme).WithRESTMapper(mapper).WithReturnManagedFields().WithObjects(pc)
	for _, g := range allKinds {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(g)
		b = b.WithStatusSubresource(u)
	}
	for _, o := range objs {
		b = b.WithObjects(obj(t, o))
	}
	refs, err := LoadReferences()
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, c: b.Build(), now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), refs: refs, recs: map[schema.GroupVersionKind]*Reconciler{}}
	w.rec = filepath.Join(t.TempDir(), "record.jsonl")
	w.record, err = NewRecorder(w.rec)
	if err != nil {
		t.Fatal(err)
	}
	w.record.Now = func() time.Time { return w.now }
	for _, g := range allKinds {
		delay := 2 * time.Second
		if slowKinds[g.GroupKind()] {
			delay = 8 * time.Second
		}
		w.recs[g] = &Reconciler{Client: w.c, GVK: g, Resolver: &Resolver{Client: w.c, References: refs}, Recorder: w.record,
			Account: "123456789012", Delay: delay, PollInterval: time.Minute, Now: func() time.Time { return w.now }}
	}
	return w
}

func obj(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(y), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func (w *world) reconcile(g schema.GroupVersionKind, name string) reconcile.Result {
	w.t.Helper()
	res, err := w.recs[g].Reconcile(context.Background(), reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}})
	if err != nil {
		w.t.Fatalf("reconcile %s %s: %v", g.Kind, name, err)
	}
	return res
}

// settle reconciles until the object stops asking for an early requeue, advancing the clock past
// any operation in flight, as the work queue would; a change the DesiredStateChanged filter lets
// through (generation, labels, annotations) queues another reconcile, as the watch would.
func (w *world) settle(g schema.GroupVersionKind, name string) {
	w.t.Helper()
	for i := 0; i < 20; i++ {
		before := w.desired(g, name)
		res := w.reconcile(g, name)
		changed := w.desired(g, name) != before
		if !changed && (res.RequeueAfter >= time.Minute || (!res.Requeue && res.RequeueAfter == 0)) {
			return
		}
		if !changed {
			w.now = w.now.Add(res.RequeueAfter)
		}
	}
	w.t.Fatalf("%s %s did not settle", g.Kind, name)
}

func (w *world) desired(g schema.GroupVersionKind, name string) string {
	m := NewManaged(g)
	if err := w.c.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: name}, m.Unstructured); err != nil {
		return "gone"
	}
	a := m.GetAnnotations()
	delete(a, meta.AnnotationKeyExternalCreatePending)
	b, _ := json.Marshal([]any{m.GetGeneration(), m.GetLabels(), a})
	return string(b)
}

func (w *world) get(g schema.GroupVersionKind, name string) *Managed {
	w.t.Helper()
	m := NewManaged(g)
	if err := w.c.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: name}, m.Unstructured); err != nil {
		w.t.Fatal(err)
	}
	return m
}

func (w *world) records() []map[string]any {
	w.t.Helper()
	f, err := os.Open(w.rec)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := map[string]any{}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func str(t *testing.T, m *Managed, path ...string) string {
	t.Helper()
	v, _, _ := unstructured.NestedString(m.Object, path...)
	return v
}

func cond(m *Managed, ct xpv1.ConditionType) xpv1.Condition { return m.GetCondition(ct) }

const vpc = `
apiVersion: ec2.aws.m.upbound.io/v1beta1
kind: VPC
metadata: {name: vpc-test, namespace: ` + ns + `, labels: {tier: main}}
spec:
  providerConfigRef: {kind: ProviderConfig, name: aws}
  forProvider: {region: eu-north-1, cidrBlock: 10.0.0.0/16, enableDnsSupport: true, tags: {Name: vpc-test}}`

const subnet = `
apiVersion: ec2.aws.m.upbound.io/v1beta1
kind: Subnet
metadata: {name: subnet-a, namespace: ` + ns + `}
spec:
  providerConfigRef: {kind: ProviderConfig, name: aws}
  forProvider: {region: eu-north-1, cidrBlock: 10.0.1.0/24, vpcIdRef: {name: vpc-test}}`

func TestReferenceTableMatchesProviderResolvers(t *testing.T) {
	// GIVEN the table derived from provider-upjet-aws v2.6.0's generated resolvers
	refs, err := LoadReferences()
	if err != nil {
		t.Fatal(err)
	}
	find := func(g schema.GroupKind, goPath string) Reference {
		for _, r := range refs[g] {
			if r.GoPath == goPath {
				return r
			}
		}
		t.Fatalf("no reference %s in %s", goPath, g)
		return Reference{}
	}
	// THEN the references this project relies on extract what the provider extracts
	cases := []struct {
		kind, goPath, target, extractor string
	}{
		{"Subnet.ec2.aws.m.upbound.io", "mg.Spec.ForProvider.VPCID", "VPC", "externalName"},
		{"NATGateway.ec2.aws.m.upbound.io", "mg.Spec.ForProvider.AllocationID", "EIP", "id"},
		{"ClusterInstance.rds.aws.m.upbound.io", "mg.Spec.ForProvider.ClusterIdentifier", "Cluster", "id"},
		{"Service.ecs.aws.m.upbound.io", "mg.Spec.ForProvider.TaskDefinition", "TaskDefinition", "arn"},
		{"Service.ecs.aws.m.upbound.io", "mg.Spec.ForProvider.LoadBalancer[i3].TargetGroupArn", "LBTargetGroup", "externalName"},
		{"SecretVersion.secretsmanager.aws.m.upbound.io", "mg.Spec.ForProvider.SecretID", "Secret", "id"},
		{"Target.appautoscaling.aws.m.upbound.io", "mg.Spec.ForProvider.RoleArn", "Role", "arn"},
		{"Policy.appautoscaling.aws.m.upbound.io", "mg.Spec.ForProvider.ResourceID", "Target", "spec:resource_id"},
	}
	for _, c := range cases {
		r := find(schema.ParseGroupKind(c.kind), c.goPath)
		if r.Target.Kind != c.target || r.Extractor != c.extractor {
			t.Errorf("%s %s: got %s/%s, want %s/%s", c.kind, c.goPath, r.Target.Kind, r.Extractor, c.target, c.extractor)
		}
	}
	sg := find(schema.ParseGroupKind("SubnetGroup.rds.aws.m.upbound.io"), "mg.Spec.ForProvider.SubnetIds")
	if !sg.Multi || sg.RefField != "subnetIdRefs" || sg.SelectorField != "subnetIdSelector" {
		t.Errorf("SubnetGroup subnetIds: %+v", sg)
	}
	lst := find(schema.ParseGroupKind("Service.ecs.aws.m.upbound.io"), "mg.Spec.ForProvider.LoadBalancer[i3].TargetGroupArn")
	if strings.Join(lst.ValuePath, ".") != "spec.forProvider.loadBalancer[].targetGroupArn" {
		t.Errorf("list path: %v", lst.ValuePath)
	}
}

func TestUnresolvableReferenceSetsCrossplaneRuntimeCondition(t *testing.T) {
	// GIVEN a subnet whose VPC exists but has no external name yet
	w := newWorld(t, vpc, subnet)
	// WHEN the subnet is reconciled
	res := w.reconcile(gvkSubnet, "subnet-a")
	// THEN it is retried with Synced=False carrying crossplane-runtime's reason and message
	s := w.get(gvkSubnet, "subnet-a")
	c := cond(s, xpv1.TypeSynced)
	want := "cannot resolve references: mg.Spec.ForProvider.VPCID: referenced field was empty (referenced resource may not yet be ready)"
	if c.Status != corev1.ConditionFalse || c.Reason != xpv1.ReasonReconcileError || c.Message != want {
		t.Fatalf("Synced = %s/%s %q, want False/ReconcileError %q", c.Status, c.Reason, c.Message, want)
	}
	if !res.Requeue {
		t.Error("an unresolved reference must be retried")
	}
	if meta.FinalizerExists(s, "finalizer.managedresource.crossplane.io") {
		t.Error("the finalizer is added only after references resolve")
	}

	// GIVEN a subnet whose VPC does not exist
	w2 := newWorld(t, strings.Replace(subnet, "name: vpc-test}", "name: vpc-missing}", 1))
	w2.reconcile(gvkSubnet, "subnet-a")
	c = cond(w2.get(gvkSubnet, "subnet-a"), xpv1.TypeSynced)
	if !strings.HasPrefix(c.Message, "cannot resolve references: mg.Spec.ForProvider.VPCID: cannot get referenced resource: ") ||
		!strings.Contains(c.Message, `"vpc-missing" not found`) {
		t.Errorf("missing target message: %q", c.Message)
	}
}

func TestLifecycleCreatesResolvesAndReportsReady(t *testing.T) {
	// GIVEN a VPC and a subnet referring to it
	w := newWorld(t, vpc, subnet)

	// WHEN the VPC is reconciled once
	res := w.reconcile(gvkVPC, "vpc-test")
	v := w.get(gvkVPC, "vpc-test")
	// THEN creation was requested: finalizer, create annotations, Creating, Synced, crossplane tags
	if !meta.FinalizerExists(v, "finalizer.managedresource.crossplane.io") {
		t.Error("finalizer missing")
	}
	if meta.GetExternalCreatePending(v).IsZero() || meta.GetExternalCreateSucceeded(v).IsZero() {
		t.Error("external-create-pending/succeeded annotations missing")
	}
	if c := cond(v, xpv1.TypeReady); c.Reason != xpv1.ReasonCreating || c.Status != corev1.ConditionFalse {
		t.Errorf("Ready = %v", c)
	}
	if c := cond(v, xpv1.TypeSynced); c.Reason != xpv1.ReasonReconcileSuccess {
		t.Errorf("Synced = %v", c)
	}
	if meta.GetExternalName(v) != "" {
		t.Error("a VPC id is assigned by AWS; there is none before creation completes")
	}
	tags, _, _ := unstructured.NestedStringMap(v.Object, "spec", "forProvider", "tags")
	if tags["Name"] != "vpc-test" || tags["crossplane-kind"] != "vpc.ec2.aws.m.upbound.io" || tags["crossplane-name"] != "vpc-test" || tags["crossplane-providerconfig"] != "aws" {
		t.Errorf("tags = %v", tags)
	}
	if res.RequeueAfter != 2*time.Second {
		t.Errorf("requeue after %s, want the 2s delay", res.RequeueAfter)
	}
	if len(w.records()) != 0 {
		t.Error("nothing is recorded before the create completes")
	}

	// WHEN the delay has passed
	w.now = w.now.Add(2 * time.Second)
	w.settle(gvkVPC, "vpc-test")
	v = w.get(gvkVPC, "vpc-test")
	// THEN the VPC has an id in AWS format, echoed parameters and Ready=True Available
	id := meta.GetExternalName(v)
	if !strings.HasPrefix(id, "vpc-0") || len(id) != len("vpc-")+17 {
		t.Errorf("external name %q", id)
	}
	if str(t, v, "status", "atProvider", "id") != id || str(t, v, "status", "atProvider", "cidrBlock") != "10.0.0.0/16" ||
		str(t, v, "status", "atProvider", "arn") != "arn:aws:ec2:eu-north-1:123456789012:vpc/"+id {
		t.Errorf("atProvider = %v", v.Object["status"])
	}
	if c := cond(v, xpv1.TypeReady); c.Status != corev1.ConditionTrue || c.Reason != xpv1.ReasonAvailable {
		t.Errorf("Ready = %v", c)
	}
	if c := cond(v, "LastAsyncOperation"); c.Status != corev1.ConditionTrue || c.Reason != "Success" {
		t.Errorf("LastAsyncOperation = %v", c)
	}
	recs := w.records()
	if len(recs) != 1 || recs[0]["action"] != "create" || recs[0]["kind"] != "VPC" || recs[0]["externalName"] != id || recs[0]["simulated"] != true {
		t.Errorf("records = %v", recs)
	}

	// WHEN the subnet is reconciled
	w.reconcile(gvkSubnet, "subnet-a")
	s := w.get(gvkSubnet, "subnet-a")
	// THEN vpcId holds the VPC's external name, applied by crossplane-runtime's resolver field manager
	if got := str(t, s, "spec", "forProvider", "vpcId"); got != id {
		t.Errorf("vpcId = %q, want %q", got, id)
	}
	var owner *metav1.ManagedFieldsEntry
	for i, f := range s.GetManagedFields() {
		if f.Manager == FieldOwnerReferenceResolver {
			owner = &s.GetManagedFields()[i]
		}
	}
	if owner == nil || owner.Operation != metav1.ManagedFieldsOperationApply || !strings.Contains(string(owner.FieldsV1.Raw), `"f:vpcId"`) {
		t.Errorf("managed fields = %+v", s.GetManagedFields())
	}

	// WHEN reconciled again with nothing changed
	before := s.GetResourceVersion()
	w.settle(gvkSubnet, "subnet-a")
	w.reconcile(gvkSubnet, "subnet-a")
	after := w.get(gvkSubnet, "subnet-a")
	// THEN nothing more is created and the subnet is up to date
	if n := len(w.records()); n != 2 {
		t.Errorf("%d records, want the VPC and the subnet creates", n)
	}
	if before == "" || !strings.HasPrefix(str(t, after, "status", "atProvider", "id"), "subnet-0") {
		t.Errorf("subnet atProvider = %v", after.Object["status"])
	}
}

func TestObserveOnlyNeverCreates(t *testing.T) {
	observeOnly := strings.Replace(vpc, "spec:\n", "spec:\n  managementPolicies: [Observe]\n", 1)
	// GIVEN an Observe-only VPC without external name
	w := newWorld(t, observeOnly)
	w.reconcile(gvkVPC, "vpc-test")
	res := w.reconcile(gvkVPC, "vpc-test")
	v := w.get(gvkVPC, "vpc-test")
	if !res.Requeue {
		t.Error("a missing Observe-only resource is observed again")
	}
	// THEN it is reported missing, not created
	c := cond(v, xpv1.TypeSynced)
	if c.Status != corev1.ConditionFalse || c.Message != "observe failed: external resource does not exist" {
		t.Errorf("Synced = %v", c)
	}
	if len(w.records()) != 0 || !meta.GetExternalCreatePending(v).IsZero() {
		t.Error("an Observe-only resource must never be created")
	}

	// GIVEN an Observe-only VPC naming an existing VPC
	seeded := strings.Replace(observeOnly, "labels: {tier: main}", "labels: {tier: main}, annotations: {crossplane.io/external-name: vpc-0123456789abcdef0}", 1)
	w = newWorld(t, seeded)
	w.settle(gvkVPC, "vpc-test")
	// (the first pass's observation is lost to the finalizer Update, as with the real reconciler:
	// APIFinalizer.AddFinalizer decodes the server's object, status included, into the managed
	// resource; the next poll persists it)
	w.now = w.now.Add(time.Minute)
	w.settle(gvkVPC, "vpc-test")
	v = w.get(gvkVPC, "vpc-test")
	// THEN it is observed: Ready, atProvider for that id, no tags written, nothing recorded
	if cond(v, xpv1.TypeReady).Status != corev1.ConditionTrue || str(t, v, "status", "atProvider", "id") != "vpc-0123456789abcdef0" {
		t.Errorf("observed VPC: %v", v.Object["status"])
	}
	tags, _, _ := unstructured.NestedStringMap(v.Object, "spec", "forProvider", "tags")
	if _, ok := tags["crossplane-kind"]; ok {
		t.Error("the Tagger skips Observe-only resources")
	}
	if len(w.records()) != 0 {
		t.Errorf("records = %v", w.records())
	}
}

func TestDeletionHonoursManagementPolicies(t *testing.T) {
	noDelete := strings.Replace(vpc, "spec:\n", "spec:\n  managementPolicies: [Observe, Create, Update, LateInitialize]\n", 1)
	// GIVEN a created VPC without the Delete policy and one with the default policy
	for _, c := range []struct {
		name, manifest, action string
	}{{"no Delete", noDelete, "orphan"}, {"default", vpc, "delete"}} {
		w := newWorld(t, c.manifest)
		w.settle(gvkVPC, "vpc-test")
		id := meta.GetExternalName(w.get(gvkVPC, "vpc-test"))
		// WHEN the object is deleted
		if err := w.c.Delete(context.Background(), w.get(gvkVPC, "vpc-test").Unstructured); err != nil {
			t.Fatal(err)
		}
		w.settle(gvkVPC, "vpc-test")
		// THEN the finalizer is gone (the object with it) and AWS saw only what the policy allows
		m := NewManaged(gvkVPC)
		if err := w.c.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: "vpc-test"}, m.Unstructured); err == nil {
			t.Errorf("%s: object still there with finalizers %v", c.name, m.GetFinalizers())
		}
		recs := w.records()
		last := recs[len(recs)-1]
		if len(recs) != 2 || last["action"] != c.action || last["externalName"] != id {
			t.Errorf("%s: records = %v", c.name, recs)
		}
	}
}

func TestDeletionWaitsForOtherFinalizers(t *testing.T) {
	// GIVEN a created VPC that another controller also holds a finalizer on
	w := newWorld(t, vpc)
	w.settle(gvkVPC, "vpc-test")
	v := w.get(gvkVPC, "vpc-test")
	v.SetFinalizers(append(v.GetFinalizers(), "example.org/other"))
	if err := w.c.Update(context.Background(), v.Unstructured); err != nil {
		t.Fatal(err)
	}
	// WHEN it is deleted
	_ = w.c.Delete(context.Background(), v.Unstructured)
	w.reconcile(gvkVPC, "vpc-test")
	// THEN nothing is deleted in AWS yet
	if len(w.records()) != 1 {
		t.Errorf("records = %v", w.records())
	}
}

func TestUpdateAndTaskDefinitionRevision(t *testing.T) {
	td := `
apiVersion: ecs.aws.m.upbound.io/v1beta1
kind: TaskDefinition
metadata: {name: task-v1, namespace: ` + ns + `}
spec:
  providerConfigRef: {kind: ProviderConfig, name: aws}
  forProvider: {region: eu-north-1, family: catalog-api, containerDefinitions: '[{"image":"a:1"}]'}`
	// GIVEN a registered task definition
	w := newWorld(t, td)
	w.settle(gvkTaskDef, "task-v1")
	m := w.get(gvkTaskDef, "task-v1")
	if got := str(t, m, "status", "atProvider", "arn"); got != "arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api:1" {
		t.Fatalf("arn = %q", got)
	}
	// WHEN its container definitions change
	_ = unstructured.SetNestedField(m.Object, `[{"image":"a:2"}]`, "spec", "forProvider", "containerDefinitions")
	if err := w.c.Update(context.Background(), m.Unstructured); err != nil {
		t.Fatal(err)
	}
	w.settle(gvkTaskDef, "task-v1")
	m = w.get(gvkTaskDef, "task-v1")
	// THEN an update is recorded and the ARN names the next revision
	if got := str(t, m, "status", "atProvider", "arn"); got != "arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api:2" {
		t.Errorf("arn after update = %q", got)
	}
	// and, as Terraform replaces a task definition, the old revision is deregistered
	recs := w.records()
	if len(recs) != 3 || recs[1]["action"] != "delete" || recs[1]["arn"] != "arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api:1" ||
		recs[2]["action"] != "update" || recs[2]["arn"] != "arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api:2" {
		t.Errorf("records = %v", recs)
	}
}

func TestTaskDefinitionRevisionsCountPerFamilyAcrossManagedResources(t *testing.T) {
	td := func(name, extra string) string {
		return `
apiVersion: ecs.aws.m.upbound.io/v1beta1
kind: TaskDefinition
metadata: {name: ` + name + `, namespace: ` + ns + `}
spec:
  providerConfigRef: {kind: ProviderConfig, name: aws}
  forProvider: {region: eu-north-1, family: catalog-api, containerDefinitions: '[{"image":"a:` + name + `"}]'` + extra + `}`
	}
	// GIVEN a registered revision of a family, then a second managed resource of the same family
	w := newWorld(t, td("r1", ""), td("r2", ""), td("r3", ", skipDestroy: true"))
	w.settle(gvkTaskDef, "r1")
	w.settle(gvkTaskDef, "r2")
	// THEN the second is the family's next revision
	if got := str(t, w.get(gvkTaskDef, "r2"), "status", "atProvider", "arn"); got != "arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api:2" {
		t.Fatalf("arn of r2 = %q, want revision 2", got)
	}
	// WHEN the first is deleted THEN its revision is deregistered (recorded with its ARN)
	_ = w.c.Delete(context.Background(), w.get(gvkTaskDef, "r1").Unstructured)
	w.settle(gvkTaskDef, "r1")
	// AND a revision with skipDestroy is kept when its managed resource goes
	w.settle(gvkTaskDef, "r3")
	_ = w.c.Delete(context.Background(), w.get(gvkTaskDef, "r3").Unstructured)
	w.settle(gvkTaskDef, "r3")
	var got []string
	for _, r := range w.records() {
		got = append(got, fmt.Sprint(r["action"], " ", r["arn"]))
	}
	want := []string{
		"create arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api:1",
		"create arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api:2",
		"delete arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api:1",
		"create arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api:3",
		"orphan arn:aws:ecs:eu-north-1:123456789012:task-definition/catalog-api:3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRDSClusterEndpointsSecretAndSlowDelay(t *testing.T) {
	cluster := `
apiVersion: rds.aws.m.upbound.io/v1beta1
kind: Cluster
metadata: {name: rds-cluster-test, namespace: ` + ns + `}
spec:
  providerConfigRef: {kind: ProviderConfig, name: aws}
  forProvider:
    region: eu-north-1
    engine: aurora-postgresql
    autoGeneratePassword: true
    manageMasterUserPassword: true
    masterPasswordSecretRef: {name: master-password, key: password}`
	// GIVEN an Aurora cluster that asks for a generated password
	w := newWorld(t, cluster)
	res := w.reconcile(gvkRDSCluster, "rds-cluster-test")
	// THEN the password Secret exists, owned by the cluster, and creation takes the slow delay
	s := &corev1.Secret{}
	if err := w.c.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: "master-password"}, s); err != nil {
		t.Fatal(err)
	}
	if len(s.Data["password"]) == 0 || len(s.OwnerReferences) != 1 || s.OwnerReferences[0].Kind != "Cluster" {
		t.Errorf("secret = %+v", s)
	}
	if res.RequeueAfter != 8*time.Second {
		t.Errorf("requeue after %s, want the slow delay", res.RequeueAfter)
	}
	if meta.GetExternalName(w.get(gvkRDSCluster, "rds-cluster-test")) != "rds-cluster-test" {
		t.Error("the name initializer sets the external name before creation")
	}
	w.now = w.now.Add(8 * time.Second)
	w.settle(gvkRDSCluster, "rds-cluster-test")
	m := w.get(gvkRDSCluster, "rds-cluster-test")
	// THEN writer and reader endpoints and the RDS-managed secret have AWS formats
	ep, rep := str(t, m, "status", "atProvider", "endpoint"), str(t, m, "status", "atProvider", "readerEndpoint")
	if !strings.HasPrefix(ep, "rds-cluster-test.cluster-") || !strings.HasSuffix(ep, ".eu-north-1.rds.amazonaws.com") ||
		!strings.HasPrefix(rep, "rds-cluster-test.cluster-ro-") || ep[len("rds-cluster-test.cluster-"):] != rep[len("rds-cluster-test.cluster-ro-"):] {
		t.Errorf("endpoints %q %q", ep, rep)
	}
	secrets, _, _ := unstructured.NestedSlice(m.Object, "status", "atProvider", "masterUserSecret")
	if len(secrets) != 1 || !strings.HasPrefix(secrets[0].(map[string]any)["secretArn"].(string), "arn:aws:secretsmanager:eu-north-1:123456789012:secret:rds!cluster-") {
		t.Errorf("masterUserSecret = %v", secrets)
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(m.Object, "status", "atProvider", "masterPasswordSecretRef"); found {
		t.Error("secret references are not echoed into atProvider")
	}
}

func TestSelectorsResolveByLabelsAndController(t *testing.T) {
	other := strings.NewReplacer("vpc-test", "vpc-other", "tier: main", "tier: other").Replace(vpc)
	group := `
apiVersion: rds.aws.m.upbound.io/v1beta1
kind: SubnetGroup
metadata: {name: sg-test, namespace: ` + ns + `}
spec:
  providerConfigRef: {kind: ProviderConfig, name: aws}
  forProvider: {region: eu-north-1, subnetIdSelector: {matchLabels: {tier: private}}}`
	sub := func(name, tier string) string {
		labelled := strings.Replace(subnet, "namespace: "+ns+"}", "namespace: "+ns+", labels: {tier: "+tier+"}}", 1)
		return strings.Replace(labelled, "name: subnet-a", "name: "+name, 1)
	}
	// GIVEN two private subnets, a public one, and a subnet group selecting tier=private
	w := newWorld(t, vpc, other, sub("subnet-b", "private"), sub("subnet-a", "private"), sub("subnet-c", "public"), group)
	w.settle(gvkVPC, "vpc-test")
	for _, n := range []string{"subnet-a", "subnet-b", "subnet-c"} {
		w.settle(gvkSubnet, n)
	}
	// WHEN the subnet group is reconciled
	w.reconcile(gvkSubnetGroup, "sg-test")
	g := w.get(gvkSubnetGroup, "sg-test")
	// THEN subnetIds hold both private subnets' ids sorted, and subnetIdRefs name them with namespace
	ids, _, _ := unstructured.NestedStringSlice(g.Object, "spec", "forProvider", "subnetIds")
	refs, _, _ := unstructured.NestedSlice(g.Object, "spec", "forProvider", "subnetIdRefs")
	a := meta.GetExternalName(w.get(gvkSubnet, "subnet-a"))
	b := meta.GetExternalName(w.get(gvkSubnet, "subnet-b"))
	want := []string{a, b}
	if a > b {
		want = []string{b, a}
	}
	if strings.Join(ids, ",") != strings.Join(want, ",") || len(refs) != 2 || refs[0].(map[string]any)["namespace"] != ns {
		t.Errorf("subnetIds = %v, refs = %v", ids, refs)
	}

	// GIVEN a selector that also requires the same controller, which no subnet shares
	w2 := newWorld(t, vpc, sub("subnet-a", "private"), strings.Replace(group, "{matchLabels: {tier: private}}", "{matchLabels: {tier: private}, matchControllerRef: true}", 1))
	w2.settle(gvkVPC, "vpc-test")
	w2.settle(gvkSubnet, "subnet-a")
	w2.reconcile(gvkSubnetGroup, "sg-test")
	c := cond(w2.get(gvkSubnetGroup, "sg-test"), xpv1.TypeSynced)
	if c.Message != "cannot resolve references: mg.Spec.ForProvider.SubnetIds: no resources matched selector" {
		t.Errorf("Synced = %v", c)
	}
}

func TestLateInitializeAbsentKeepsExternalNameOutOfTheObject(t *testing.T) {
	noLateInit := strings.Replace(vpc, "spec:\n", "spec:\n  managementPolicies: [Observe, Create, Update, Delete]\n", 1)
	// GIVEN a VPC whose policy lacks LateInitialize
	w := newWorld(t, noLateInit)
	w.settle(gvkVPC, "vpc-test")
	w.now = w.now.Add(time.Minute)
	w.settle(gvkVPC, "vpc-test")
	v := w.get(gvkVPC, "vpc-test")
	// THEN the AWS-assigned id is never written back into the object, as with the real reconciler
	if meta.GetExternalName(v) != "" {
		t.Errorf("external name %q written without LateInitialize", meta.GetExternalName(v))
	}
	if len(w.records()) != 1 {
		t.Errorf("records = %v", w.records())
	}
}

func TestFakeValuesHaveAWSFormats(t *testing.T) {
	// GIVEN an ALB and a CloudFront distribution
	lb := `
apiVersion: elbv2.aws.m.upbound.io/v1beta1
kind: LB
metadata: {name: alb-test, namespace: ` + ns + `}
spec:
  providerConfigRef: {kind: ProviderConfig, name: aws}
  forProvider: {region: eu-north-1, name: alb-test, loadBalancerType: application}`
	cdn := `
apiVersion: cloudfront.aws.m.upbound.io/v1beta1
kind: Distribution
metadata: {name: cdn-test, namespace: ` + ns + `}
spec:
  providerConfigRef: {kind: ProviderConfig, name: aws}
  forProvider: {region: us-east-1, enabled: true}`
	w := newWorld(t, lb, cdn)
	w.settle(gvkLB, "alb-test")
	w.settle(gvkDistribution, "cdn-test")
	l := w.get(gvkLB, "alb-test")
	d := w.get(gvkDistribution, "cdn-test")
	arn := str(t, l, "status", "atProvider", "arn")
	suffix := str(t, l, "status", "atProvider", "arnSuffix")
	dns := str(t, l, "status", "atProvider", "dnsName")
	// THEN they look like AWS's
	if !strings.HasPrefix(arn, "arn:aws:elasticloadbalancing:eu-north-1:123456789012:loadbalancer/app/alb-test/") || !strings.HasSuffix(arn, suffix) ||
		!strings.HasPrefix(suffix, "app/alb-test/") || !strings.HasPrefix(dns, "alb-test-") || !strings.HasSuffix(dns, ".eu-north-1.elb.amazonaws.com") {
		t.Errorf("LB: %q %q %q", arn, suffix, dns)
	}
	if meta.GetExternalName(l) != arn {
		t.Error("an LB's external name is its ARN")
	}
	id, domain := str(t, d, "status", "atProvider", "id"), str(t, d, "status", "atProvider", "domainName")
	if len(id) != 14 || id[0] != 'E' || !strings.HasPrefix(domain, "d") || !strings.HasSuffix(domain, ".cloudfront.net") {
		t.Errorf("Distribution: %q %q", id, domain)
	}
	// AND the same inputs give the same values in another run
	w2 := newWorld(t, lb)
	w2.settle(gvkLB, "alb-test")
	if str(t, w2.get(gvkLB, "alb-test"), "status", "atProvider", "dnsName") != dns {
		t.Error("fake values must be deterministic")
	}
}
