package sim

import (
	"context"
	"encoding/json"
	"strings"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Managed lets an unstructured object stand in for a provider's typed managed resource, so that
// crossplane-runtime's own helpers (reference resolver, management-policy resolver, meta) run on it.
type Managed struct {
	*unstructured.Unstructured
}

var _ resource.Managed = &Managed{}

// NewManaged returns an empty managed resource of the given kind.
func NewManaged(gvk schema.GroupVersionKind) *Managed {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	return &Managed{Unstructured: u}
}

// DeepCopyObject keeps the wrapper type.
func (m *Managed) DeepCopyObject() runtime.Object {
	return &Managed{Unstructured: m.Unstructured.DeepCopy()}
}

// GetManagementPolicies reads spec.managementPolicies; the CRDs default it to ["*"].
func (m *Managed) GetManagementPolicies() xpv1.ManagementPolicies {
	v, found, _ := unstructured.NestedStringSlice(m.Object, "spec", "managementPolicies")
	if !found {
		return xpv1.ManagementPolicies{xpv1.ManagementActionAll}
	}
	p := make(xpv1.ManagementPolicies, 0, len(v))
	for _, a := range v {
		p = append(p, xpv1.ManagementAction(a))
	}
	return p
}

// SetManagementPolicies writes spec.managementPolicies.
func (m *Managed) SetManagementPolicies(p xpv1.ManagementPolicies) {
	v := make([]any, 0, len(p))
	for _, a := range p {
		v = append(v, string(a))
	}
	_ = unstructured.SetNestedSlice(m.Object, v, "spec", "managementPolicies")
}

func (m *Managed) conditioned() *xpv1.ConditionedStatus {
	cs := &xpv1.ConditionedStatus{}
	if raw, found, _ := unstructured.NestedSlice(m.Object, "status", "conditions"); found {
		b, _ := json.Marshal(raw)
		_ = json.Unmarshal(b, &cs.Conditions)
	}
	return cs
}

// GetCondition returns the condition of the given type, or an Unknown one.
func (m *Managed) GetCondition(ct xpv1.ConditionType) xpv1.Condition {
	return m.conditioned().GetCondition(ct)
}

// SetConditions sets conditions with crossplane-runtime's semantics (a condition equal but for
// its transition time is left untouched), stamping the object's generation on each as
// conditions.ObservedGenerationPropagationManager does.
func (m *Managed) SetConditions(c ...xpv1.Condition) {
	cs := m.conditioned()
	for i := range c {
		c[i].ObservedGeneration = m.GetGeneration()
	}
	cs.SetConditions(c...)
	b, _ := json.Marshal(cs.Conditions)
	var raw []any
	_ = json.Unmarshal(b, &raw)
	m.ensureStatus()
	_ = unstructured.SetNestedSlice(m.Object, raw, "status", "conditions")
}

// ensureStatus replaces a null status (which a decoded object may carry) with an empty object.
func (m *Managed) ensureStatus() {
	if _, ok := m.Object["status"].(map[string]any); !ok {
		m.Object["status"] = map[string]any{}
	}
}

// ProviderConfigReference returns spec.providerConfigRef.
func (m *Managed) ProviderConfigReference() (kind, name string) {
	kind, _, _ = unstructured.NestedString(m.Object, "spec", "providerConfigRef", "kind")
	name, _, _ = unstructured.NestedString(m.Object, "spec", "providerConfigRef", "name")
	return kind, name
}

// ManagedList lets an unstructured list stand in for a provider's typed list.
type ManagedList struct {
	*unstructured.UnstructuredList
}

// GetItems wraps every item.
func (l *ManagedList) GetItems() []resource.Managed {
	out := make([]resource.Managed, 0, len(l.Items))
	for i := range l.Items {
		out = append(out, &Managed{Unstructured: &l.Items[i]})
	}
	return out
}

// DeepCopyObject keeps the wrapper type.
func (l *ManagedList) DeepCopyObject() runtime.Object {
	return &ManagedList{UnstructuredList: l.UnstructuredList.DeepCopy()}
}

// unwrappingReader hands the unstructured object inside a wrapper to the client, which decodes
// only *unstructured.Unstructured(List) as such.
type unwrappingReader struct {
	client.Reader
}

func (r unwrappingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if m, ok := obj.(*Managed); ok {
		return r.Reader.Get(ctx, key, m.Unstructured, opts...)
	}
	return r.Reader.Get(ctx, key, obj, opts...)
}

func (r unwrappingReader) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	if l, ok := list.(*ManagedList); ok {
		return r.Reader.List(ctx, l.UnstructuredList, opts...)
	}
	return r.Reader.List(ctx, list, opts...)
}

// newTarget returns an empty object and list of the referenced kind for a resolution request.
func newTarget(gvk schema.GroupVersionKind) (*Managed, *ManagedList) {
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	return NewManaged(gvk), &ManagedList{UnstructuredList: l}
}

// lowerCamel turns a Terraform attribute path (snake_case, dotted) into upjet's JSON field path.
func lowerCamel(tf string) string {
	segs := strings.Split(tf, ".")
	for i, s := range segs {
		parts := strings.Split(s, "_")
		for j := 1; j < len(parts); j++ {
			if parts[j] != "" {
				parts[j] = strings.ToUpper(parts[j][:1]) + parts[j][1:]
			}
		}
		segs[i] = strings.Join(parts, "")
	}
	return strings.Join(segs, ".")
}
