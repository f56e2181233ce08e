package sim

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Inventory is what the SIMULATED AWS already holds before Crossplane sees it: resources some other
// tool (Terraform) created, each as its Terraform type and attributes. With an inventory, a managed
// resource whose external name names one of them observes it (status.atProvider from its
// attributes), and an update is due exactly when spec.forProvider differs from what AWS holds; a
// resource whose external name names nothing in it does not exist, so an Observe-only resource
// reports "external resource does not exist" (crossplane-runtime v2.2.0
// pkg/reconciler/managed/reconciler.go:1140-1145) and any other one is created.
type Inventory struct {
	mu sync.Mutex
	// byKind: group/Kind → external name → Terraform attributes.
	byKind map[schema.GroupKind]map[string]map[string]any
}

// InventoryResource is one resource of the --inventory file: a Terraform resource instance.
type InventoryResource struct {
	Type       string         `json:"type"`
	Attributes map[string]any `json:"attributes"`
}

type inventoryFile struct {
	Resources []InventoryResource `json:"resources"`
}

// identity is how provider-upjet-aws v2.6.0 names one Terraform type for Crossplane: the external
// name is the attribute its config/externalname.go configuration reads (line cited per entry).
type identity struct {
	tfType       string
	externalName func(a map[string]any) string
}

func attr(name string) func(map[string]any) string {
	return func(a map[string]any) string { s, _ := a[name].(string); return s }
}

var (
	// config.IdentifierFromProvider: the external name is the Terraform id.
	byTerraformID = attr("id")
	// config.NameAsIdentifier and config.TemplatedStringAsIdentifier("name", ...): the name argument.
	byName = attr("name")
)

// identities maps the kinds the project adopts (and their neighbours) to their Terraform type, per
// provider-upjet-aws v2.6.0 config/externalname.go.
var identities = map[schema.GroupKind]identity{
	{Group: "ec2.aws.m.upbound.io", Kind: "VPC"}:                   {"aws_vpc", byTerraformID},                     // :1166
	{Group: "ec2.aws.m.upbound.io", Kind: "Subnet"}:                {"aws_subnet", byTerraformID},                  // :1164
	{Group: "ec2.aws.m.upbound.io", Kind: "InternetGateway"}:       {"aws_internet_gateway", byTerraformID},        // :1120
	{Group: "ec2.aws.m.upbound.io", Kind: "NATGateway"}:            {"aws_nat_gateway", byTerraformID},             // :1130
	{Group: "ec2.aws.m.upbound.io", Kind: "EIP"}:                   {"aws_eip", byTerraformID},                     // :1110
	{Group: "ec2.aws.m.upbound.io", Kind: "RouteTable"}:            {"aws_route_table", byTerraformID},             // :1146
	{Group: "ec2.aws.m.upbound.io", Kind: "RouteTableAssociation"}: {"aws_route_table_association", byTerraformID}, // :1149
	{Group: "ec2.aws.m.upbound.io", Kind: "SecurityGroup"}:         {"aws_security_group", byTerraformID},          // :1151
	// route(), :1144 and :3154-3171: <route table id>_<destination CIDR>
	{Group: "ec2.aws.m.upbound.io", Kind: "Route"}: {"aws_route", func(a map[string]any) string {
		rt, _ := a["route_table_id"].(string)
		cidr, _ := a["destination_cidr_block"].(string)
		return rt + "_" + cidr
	}},
	// vpcSecurityGroupRule(), :99-101 and :3117-3128: the sgr- id
	{Group: "ec2.aws.m.upbound.io", Kind: "SecurityGroupIngressRule"}:               {"aws_vpc_security_group_ingress_rule", byTerraformID},
	{Group: "ec2.aws.m.upbound.io", Kind: "SecurityGroupEgressRule"}:                {"aws_vpc_security_group_egress_rule", byTerraformID},
	{Group: "rds.aws.m.upbound.io", Kind: "SubnetGroup"}:                            {"aws_db_subnet_group", byName},                                       // :2164
	{Group: "rds.aws.m.upbound.io", Kind: "Cluster"}:                                {"aws_rds_cluster", attr("cluster_identifier")},                       // :2166
	{Group: "rds.aws.m.upbound.io", Kind: "ClusterInstance"}:                        {"aws_rds_cluster_instance", attr("identifier")},                      // :2172
	{Group: "s3.aws.m.upbound.io", Kind: "Bucket"}:                                  {"aws_s3_bucket", attr("bucket")},                                     // :2316
	{Group: "s3.aws.m.upbound.io", Kind: "BucketLifecycleConfiguration"}:            {"aws_s3_bucket_lifecycle_configuration", attr("bucket")},             // s3BucketIdentifier(), :195
	{Group: "s3.aws.m.upbound.io", Kind: "BucketOwnershipControls"}:                 {"aws_s3_bucket_ownership_controls", byTerraformID},                   // :2342
	{Group: "s3.aws.m.upbound.io", Kind: "BucketPolicy"}:                            {"aws_s3_bucket_policy", byTerraformID},                               // :2344
	{Group: "s3.aws.m.upbound.io", Kind: "BucketPublicAccessBlock"}:                 {"aws_s3_bucket_public_access_block", byTerraformID},                  // :2346
	{Group: "s3.aws.m.upbound.io", Kind: "BucketServerSideEncryptionConfiguration"}: {"aws_s3_bucket_server_side_encryption_configuration", byTerraformID}, // :2352
	{Group: "elbv2.aws.m.upbound.io", Kind: "LB"}:                                   {"aws_lb", byTerraformID},                                             // :1379
	{Group: "elbv2.aws.m.upbound.io", Kind: "LBTargetGroup"}:                        {"aws_lb_target_group", byTerraformID},                                // :1388
	{Group: "elbv2.aws.m.upbound.io", Kind: "LBListener"}:                           {"aws_lb_listener", byTerraformID},                                    // :1381
	{Group: "cloudfront.aws.m.upbound.io", Kind: "Distribution"}:                    {"aws_cloudfront_distribution", byTerraformID},                        // :605
	{Group: "iam.aws.m.upbound.io", Kind: "Role"}:                                   {"aws_iam_role", byName},                                              // :1552
	{Group: "iam.aws.m.upbound.io", Kind: "RolePolicy"}:                             {"aws_iam_role_policy", byName},                                       // :1554
	{Group: "ecs.aws.m.upbound.io", Kind: "Cluster"}:                                {"aws_ecs_cluster", byName},                                           // :1268
	{Group: "ecs.aws.m.upbound.io", Kind: "ClusterCapacityProviders"}:               {"aws_ecs_cluster_capacity_providers", byTerraformID},                 // :1270
	{Group: "ecs.aws.m.upbound.io", Kind: "Service"}:                                {"aws_ecs_service", byName},                                           // :1272
	{Group: "ecs.aws.m.upbound.io", Kind: "TaskDefinition"}:                         {"aws_ecs_task_definition", attr("arn")},                              // ecsTaskDefinition(), :1275
	{Group: "cloudwatchlogs.aws.m.upbound.io", Kind: "Group"}:                       {"aws_cloudwatch_log_group", byName},                                  // :681
	{Group: "cloudwatch.aws.m.upbound.io", Kind: "MetricAlarm"}:                     {"aws_cloudwatch_metric_alarm", attr("alarm_name")},                   // :651
	{Group: "appautoscaling.aws.m.upbound.io", Kind: "Target"}:                      {"aws_appautoscaling_target", byTerraformID},                          // :381
	{Group: "appautoscaling.aws.m.upbound.io", Kind: "Policy"}:                      {"aws_appautoscaling_policy", byName},                                 // :377
	{Group: "sns.aws.m.upbound.io", Kind: "Topic"}:                                  {"aws_sns_topic", byName},                                             // :2671
	{Group: "ssm.aws.m.upbound.io", Kind: "Parameter"}:                              {"aws_ssm_parameter", byName},                                         // :2708
	{Group: "secretsmanager.aws.m.upbound.io", Kind: "Secret"}:                      {"aws_secretsmanager_secret", byTerraformID},                          // :2465
}

// LoadInventory reads an --inventory file: {"resources": [{"type": "aws_vpc", "attributes": {...}}]},
// attributes snake_case and blocks as lists, as Terraform state holds them. Resources of types no
// kind maps to (random_password, say) are kept out: nothing observes them.
func LoadInventory(path string) (*Inventory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read --inventory %s: %v; pass a JSON file {\"resources\": [{\"type\", \"attributes\"}]}", path, err)
	}
	var f inventoryFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("--inventory %s is not valid JSON (%v); pass a JSON file {\"resources\": [{\"type\", \"attributes\"}]}", path, err)
	}
	return NewInventory(f.Resources), nil
}

// NewInventory indexes resources by kind and external name.
func NewInventory(resources []InventoryResource) *Inventory {
	inv := &Inventory{byKind: map[schema.GroupKind]map[string]map[string]any{}}
	for _, r := range resources {
		for gk, id := range identities {
			if id.tfType != r.Type {
				continue
			}
			name := id.externalName(r.Attributes)
			if name == "" || name == "_" {
				continue
			}
			if inv.byKind[gk] == nil {
				inv.byKind[gk] = map[string]map[string]any{}
			}
			inv.byKind[gk][name] = r.Attributes
		}
	}
	return inv
}

// Len is the number of resources held (each under one kind).
func (inv *Inventory) Len() int {
	n := 0
	for _, m := range inv.byKind {
		n += len(m)
	}
	return n
}

// Lookup returns the Terraform attributes of the resource of kind gk named externalName.
func (inv *Inventory) Lookup(gk schema.GroupKind, externalName string) (map[string]any, bool) {
	if inv == nil || externalName == "" {
		return nil, false
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	a, ok := inv.byKind[gk][externalName]
	return a, ok
}

// Remove forgets a resource deleted in AWS, so that no other managed resource observes it again.
func (inv *Inventory) Remove(gk schema.GroupKind, externalName string) {
	if inv == nil {
		return
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	delete(inv.byKind[gk], externalName)
}

// LatestRevision is the highest revision of a task definition family (in a region) the account
// holds, 0 for none.
func (inv *Inventory) LatestRevision(region, family string) int64 {
	if inv == nil {
		return 0
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	var latest int64
	for _, a := range inv.byKind[schema.GroupKind{Group: "ecs.aws.m.upbound.io", Kind: "TaskDefinition"}] {
		arn, _ := a["arn"].(string)
		rev, _ := a["revision"].(float64)
		if a["family"] == family && strings.Contains(arn, ":"+region+":") && int64(rev) > latest {
			latest = int64(rev)
		}
	}
	return latest
}

// camel is upjet's field naming: snake_case Terraform attributes become lowerCamelCase.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// schemaProperty finds the property for a Terraform attribute: its lowerCamelCase name, else the
// property whose name equals it ignoring case and underscores (upjet keeps some acronyms).
func schemaProperty(s *apiextensionsv1.JSONSchemaProps, tf string) (string, *apiextensionsv1.JSONSchemaProps) {
	c := camel(tf)
	if p, ok := s.Properties[c]; ok {
		return c, &p
	}
	want := strings.ToLower(strings.ReplaceAll(tf, "_", ""))
	for k, p := range s.Properties {
		if strings.ToLower(k) == want {
			p := p
			return k, &p
		}
	}
	return "", nil
}

// ToProvider converts Terraform attributes to the provider's fields as status.atProvider holds them:
// lowerCamelCase names, and a block the namespaced v2 APIs made an object (a one-item list in
// Terraform) unwrapped. Values the schema does not declare are dropped; map keys (tags) are kept.
// Without a schema, names are converted and nothing is unwrapped.
func ToProvider(v any, s *apiextensionsv1.JSONSchemaProps) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		if s == nil {
			for k, x := range t {
				if k == "tags" || k == "tags_all" {
					out[camel(k)] = x
				} else {
					out[camel(k)] = ToProvider(x, nil)
				}
			}
			return out
		}
		if len(s.Properties) == 0 && s.AdditionalProperties != nil {
			for k, x := range t {
				out[k] = ToProvider(x, s.AdditionalProperties.Schema)
			}
			return out
		}
		for k, x := range t {
			if name, p := schemaProperty(s, k); p != nil {
				if c := ToProvider(x, p); c != nil {
					out[name] = c
				}
			}
		}
		return out
	case []any:
		if s != nil && s.Type == "object" {
			if len(t) == 0 {
				return nil
			}
			return ToProvider(t[0], s)
		}
		var items *apiextensionsv1.JSONSchemaProps
		if s != nil && s.Items != nil {
			items = s.Items.Schema
		}
		out := make([]any, 0, len(t))
		for _, x := range t {
			out = append(out, ToProvider(x, items))
		}
		return out
	}
	return v
}

// isMapSchema tells a map of arbitrary keys (tags) from an object with named fields.
func isMapSchema(s *apiextensionsv1.JSONSchemaProps, field string) bool {
	if s == nil {
		return field == "tags" || field == "tagsAll"
	}
	return len(s.Properties) == 0 && s.AdditionalProperties != nil
}

func child(s *apiextensionsv1.JSONSchemaProps, k string) *apiextensionsv1.JSONSchemaProps {
	if s == nil {
		return nil
	}
	if p, ok := s.Properties[k]; ok {
		return &p
	}
	return nil
}

// Drift lists the fields of desired (spec.forProvider) whose value AWS does not hold, as field
// paths under prefix: a nested object by its leaves, a list as a whole, a map (tags) by key (a key
// AWS has that desired lacks is drift too: Terraform removes it). Fields desired leaves out are not
// compared (Terraform keeps what an optional, computed argument holds), nor references, selectors
// and the region.
func Drift(desired, aws map[string]any, s *apiextensionsv1.JSONSchemaProps, prefix string) []string {
	var out []string
	for _, k := range sortedKeys(desired) {
		if isReferenceField(k) || (prefix == "spec.forProvider" && k == "region") {
			continue
		}
		out = append(out, driftValue(desired[k], aws[k], child(s, k), prefix+"."+k, k)...)
	}
	return out
}

func driftValue(d, a any, s *apiextensionsv1.JSONSchemaProps, path, field string) []string {
	if d == nil {
		return nil
	}
	switch dv := d.(type) {
	case map[string]any:
		am, ok := a.(map[string]any)
		if isMapSchema(s, field) {
			var out []string
			keys := map[string]bool{}
			for k := range dv {
				keys[k] = true
			}
			for k := range am {
				keys[k] = true
			}
			for _, k := range sortedKeys(keys) {
				if !ok || !sameScalar(dv[k], am[k]) {
					out = append(out, path+"."+k)
				}
			}
			return out
		}
		if !ok {
			return []string{path}
		}
		return Drift(dv, am, s, path)
	case []any:
		al, ok := a.([]any)
		if !ok || len(al) != len(dv) {
			return []string{path}
		}
		var items *apiextensionsv1.JSONSchemaProps
		if s != nil && s.Items != nil {
			items = s.Items.Schema
		}
		// lists compare as sets (most of Terraform's are): each desired item must match its own AWS item
		used := make([]bool, len(al))
		for _, x := range dv {
			found := false
			for i, y := range al {
				if !used[i] && len(driftValue(x, y, items, path, field)) == 0 {
					used[i], found = true, true
					break
				}
			}
			if !found {
				return []string{path}
			}
		}
		return nil
	}
	if !sameScalar(d, a) {
		return []string{path}
	}
	return nil
}

// sameScalar compares scalars as Terraform's string-typed state does; JSON documents (policies,
// container definitions) compare by content.
func sameScalar(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if ja, jb, ok := jsonDocs(a, b); ok {
		return reflect.DeepEqual(ja, jb)
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func jsonDocs(a, b any) (any, any, bool) {
	sa, ok1 := a.(string)
	sb, ok2 := b.(string)
	if !ok1 || !ok2 || !looksJSON(sa) || !looksJSON(sb) {
		return nil, nil, false
	}
	var ja, jb any
	if json.Unmarshal([]byte(sa), &ja) != nil || json.Unmarshal([]byte(sb), &jb) != nil {
		return nil, nil, false
	}
	return ja, jb, true
}

func looksJSON(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
}

// Apply writes desired over aws as a successful Terraform apply leaves the state: objects merged
// field by field, lists, maps and scalars replaced; references are not AWS attributes.
func Apply(aws, desired map[string]any, s *apiextensionsv1.JSONSchemaProps) {
	for k, d := range desired {
		if isReferenceField(k) || d == nil {
			continue
		}
		cs := child(s, k)
		if dm, ok := d.(map[string]any); ok && !isMapSchema(cs, k) {
			am, ok := aws[k].(map[string]any)
			if !ok {
				am = map[string]any{}
				aws[k] = am
			}
			Apply(am, dm, cs)
			continue
		}
		aws[k] = d
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// followConfiguredFormat writes the attributes whose format the provider's read takes from the
// configuration in that format. An ECS service's cluster is read back as an ARN only when the
// configured value is an ARN, else as the cluster's name (terraform-provider-aws, as provider-upjet-aws
// v2.6.0 pins it, internal/service/ecs/service.go:1599-1604, clusterNameFromARN at :3889-3894). On an adopted resource's first
// observation upjet seeds the Terraform state from the parameters (external_tfpluginsdk.go:284-291,
// crossplane/upjet 59c45527ebe4), and our clusterRef resolves to the cluster's external name, its
// name (provider-upjet-aws v2.6.0 config/namespaced/ecs/config.go:47-49, config/externalname.go:1268):
// so the state's ARN becomes the name, and a service adopted from Terraform's ARN shows no drift.
func followConfiguredFormat(gk schema.GroupKind, aws map[string]any, mg *Managed) {
	if gk.Group != "ecs.aws.m.upbound.io" || gk.Kind != "Service" {
		return
	}
	configured, _, _ := unstructured.NestedString(mg.Object, "spec", "forProvider", "cluster")
	observed, _ := aws["cluster"].(string)
	if configured == "" || strings.HasPrefix(configured, "arn:") || !strings.HasPrefix(observed, "arn:") {
		return
	}
	if i := strings.LastIndex(observed, "/"); i >= 0 {
		aws["cluster"] = observed[i+1:]
	}
}
