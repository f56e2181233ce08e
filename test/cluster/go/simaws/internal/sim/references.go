package sim

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	xpresource "github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	jsonpatch "github.com/evanphx/json-patch"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// FieldOwnerReferenceResolver is the field manager crossplane-runtime's APISimpleReferenceResolver
// applies resolved references with (crossplane-runtime v2.2.0 pkg/reconciler/managed/api.go:42).
const FieldOwnerReferenceResolver = "managed.crossplane.io/api-simple-reference-resolver"

// Error texts of crossplane-runtime v2.2.0 (pkg/reconciler/managed/api.go:49-54).
const (
	errResolveReferences = "cannot resolve references"
	errPatchManaged      = "cannot patch the managed resource via server-side apply"
)

//go:embed references.tsv
var referencesTSV []byte

// Reference is one generated resolver step of provider-upjet-aws v2.6.0: the value field at
// ValuePath (segments; a segment ending in [] is a list walked element by element), filled from
// RefField/SelectorField beside it, by extracting Extractor from an object of Target.
type Reference struct {
	Kind          schema.GroupVersionKind
	GoPath        string
	ValuePath     []string
	RefField      string
	SelectorField string
	Multi         bool
	Numeric       bool
	Target        schema.GroupVersionKind
	Extractor     string
}

// References maps a kind to its resolver steps, in the order the generated ResolveReferences runs them.
type References map[schema.GroupKind][]Reference

// LoadReferences parses the embedded table derived by internal/genreferences.
func LoadReferences() (References, error) {
	return parseReferences(referencesTSV)
}

func parseReferences(b []byte) (References, error) {
	out := References{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		f := strings.Split(t, "\t")
		if len(f) != 13 {
			return nil, fmt.Errorf("references.tsv line %d: want 13 columns, got %d", line, len(f))
		}
		r := Reference{
			Kind:          schema.GroupVersionKind{Group: f[0], Version: f[1], Kind: f[2]},
			GoPath:        f[3],
			ValuePath:     strings.Split(f[4], "."),
			RefField:      f[5],
			SelectorField: f[6],
			Multi:         f[7] == "1",
			Numeric:       f[8] == "1",
			Target:        schema.GroupVersionKind{Group: f[9], Version: f[10], Kind: f[11]},
			Extractor:     f[12],
		}
		gk := r.Kind.GroupKind()
		out[gk] = append(out[gk], r)
	}
	return out, sc.Err()
}

// extractor returns the value extractor named in the table, reading the same field the provider's
// extractor reads: the external-name annotation (reference.ExternalName), status.atProvider.id
// (upjet resource.ExtractResourceID / common.TerraformID), status.atProvider.arn
// (common.ARNExtractor), or a Terraform attribute of status.atProvider or spec.forProvider
// (upjet resource.ExtractParamPath).
func extractor(name string) (reference.ExtractValueFn, error) {
	str := func(path ...string) reference.ExtractValueFn {
		return func(mg xpresource.Managed) string {
			m, ok := mg.(*Managed)
			if !ok {
				return ""
			}
			v, _, _ := unstructured.NestedFieldNoCopy(m.Object, path...)
			switch t := v.(type) {
			case string:
				return t
			case int64:
				return strconv.FormatInt(t, 10)
			case float64:
				return strconv.FormatFloat(t, 'f', -1, 64)
			}
			return ""
		}
	}
	switch {
	case name == "externalName":
		return reference.ExternalName(), nil
	case name == "id":
		return str("status", "atProvider", "id"), nil
	case name == "arn":
		return str("status", "atProvider", "arn"), nil
	case strings.HasPrefix(name, "status:"):
		return str(append([]string{"status", "atProvider"}, strings.Split(lowerCamel(strings.TrimPrefix(name, "status:")), ".")...)...), nil
	case strings.HasPrefix(name, "spec:"):
		return str(append([]string{"spec", "forProvider"}, strings.Split(lowerCamel(strings.TrimPrefix(name, "spec:")), ".")...)...), nil
	}
	return nil, fmt.Errorf("SIMULATED provider does not implement the value extractor %s", strings.TrimPrefix(name, "custom:"))
}

// Resolver resolves references of an object the way the provider's generated ResolveReferences
// does, with crossplane-runtime's APINamespacedResolver doing the look-ups.
type Resolver struct {
	Client     client.Client
	References References
}

// ResolveReferences mirrors crossplane-runtime v2.2.0 APISimpleReferenceResolver.ResolveReferences
// (pkg/reconciler/managed/api.go:237-263): resolve in memory; if anything changed, send the JSON
// merge diff between the object before and after as a server-side apply patch, owned by
// FieldOwnerReferenceResolver, with forced ownership.
func (r *Resolver) ResolveReferences(ctx context.Context, mg *Managed) error {
	refs := r.References[mg.GroupVersionKind().GroupKind()]
	if len(refs) == 0 {
		return nil
	}
	existing := mg.Unstructured.DeepCopy()
	res := reference.NewAPINamespacedResolver(unwrappingReader{Reader: r.Client}, mg)
	for _, ref := range refs {
		if err := r.resolveOne(ctx, res, mg, ref); err != nil {
			return errors.Wrap(err, errResolveReferences)
		}
	}
	// prepareJSONMerge (api.go:210-233) marshals the existing object without apiVersion/kind so the
	// patch carries them.
	before := existing.DeepCopy()
	delete(before.Object, "apiVersion")
	delete(before.Object, "kind")
	eb, err := json.Marshal(before.Object)
	if err != nil {
		return errors.Wrap(err, "cannot marshal the existing object into JSON")
	}
	rb, err := json.Marshal(mg.Object)
	if err != nil {
		return errors.Wrap(err, "cannot marshal the object with the resolved references into JSON")
	}
	patch, err := jsonpatch.CreateMergePatch(eb, rb)
	if err != nil {
		return errors.Wrap(err, "cannot prepare the JSON merge patch for the resolved object")
	}
	var p map[string]any
	_ = json.Unmarshal(patch, &p)
	delete(p, "apiVersion")
	delete(p, "kind")
	if len(p) == 0 {
		// cmp.Equal(existing, mg, cmpopts.EquateEmpty()) in api.go:252: nothing resolved anew.
		return nil
	}
	return errors.Wrap(r.Client.Patch(ctx, mg.Unstructured, client.RawPatch(types.ApplyPatchType, patch),
		client.FieldOwner(FieldOwnerReferenceResolver), client.ForceOwnership), errPatchManaged)
}

// resolveOne walks the value path (lists element by element, as the generated loops do) and
// resolves the reference in every parent object it reaches.
func (r *Resolver) resolveOne(ctx context.Context, res *reference.APINamespacedResolver, mg *Managed, ref Reference) error {
	extract, err := extractor(ref.Extractor)
	if err != nil {
		return err
	}
	var walk func(parent map[string]any, segs []string, goPath string) error
	walk = func(parent map[string]any, segs []string, goPath string) error {
		seg := segs[0]
		if len(segs) == 1 {
			return r.resolveField(ctx, res, mg, parent, seg, ref, extract, goPath)
		}
		name := strings.TrimSuffix(seg, "[]")
		child, ok := parent[name]
		if !ok || child == nil {
			return nil
		}
		if strings.HasSuffix(seg, "[]") {
			list, ok := child.([]any)
			if !ok {
				return nil
			}
			for _, el := range list {
				em, ok := el.(map[string]any)
				if !ok {
					continue
				}
				if err := walk(em, segs[1:], goPath); err != nil {
					return err
				}
			}
			return nil
		}
		cm, ok := child.(map[string]any)
		if !ok {
			return nil
		}
		return walk(cm, segs[1:], goPath)
	}
	return walk(mg.Object, ref.ValuePath, ref.GoPath)
}

func (r *Resolver) resolveField(ctx context.Context, res *reference.APINamespacedResolver, mg *Managed, parent map[string]any, field string, ref Reference, extract reference.ExtractValueFn, goPath string) error {
	var sel *xpv1.NamespacedSelector
	if err := decode(parent[ref.SelectorField], &sel); err != nil {
		return errors.Wrap(err, goPath)
	}
	to, list := newTarget(ref.Target)
	if ref.Multi {
		var cur []string
		if raw, ok := parent[field].([]any); ok {
			for _, v := range raw {
				cur = append(cur, scalarString(v))
			}
		}
		var refs []xpv1.NamespacedReference
		if err := decode(parent[ref.RefField], &refs); err != nil {
			return errors.Wrap(err, goPath)
		}
		rsp, err := res.ResolveMultiple(ctx, reference.MultiNamespacedResolutionRequest{
			CurrentValues: cur, Extract: extract, Namespace: mg.GetNamespace(), References: refs, Selector: sel,
			To: reference.To{Managed: to, List: list},
		})
		if err != nil {
			return errors.Wrap(err, goPath)
		}
		// reference.ToPtrValues keeps one entry per value; an empty result clears the field.
		if len(rsp.ResolvedValues) == 0 {
			delete(parent, field)
		} else {
			vals := make([]any, 0, len(rsp.ResolvedValues))
			for _, v := range rsp.ResolvedValues {
				vals = append(vals, typedValue(v, ref.Numeric))
			}
			parent[field] = vals
		}
		setEncoded(parent, ref.RefField, rsp.ResolvedReferences, len(rsp.ResolvedReferences) == 0)
		return nil
	}
	var one *xpv1.NamespacedReference
	if err := decode(parent[ref.RefField], &one); err != nil {
		return errors.Wrap(err, goPath)
	}
	rsp, err := res.Resolve(ctx, reference.NamespacedResolutionRequest{
		CurrentValue: scalarString(parent[field]), Extract: extract, Namespace: mg.GetNamespace(), Reference: one, Selector: sel,
		To: reference.To{Managed: to, List: list},
	})
	if err != nil {
		return errors.Wrap(err, goPath)
	}
	if rsp.ResolvedValue == "" {
		delete(parent, field)
	} else {
		parent[field] = typedValue(rsp.ResolvedValue, ref.Numeric)
	}
	setEncoded(parent, ref.RefField, rsp.ResolvedReference, rsp.ResolvedReference == nil)
	return nil
}

func decode(v any, into any) error {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

func setEncoded(parent map[string]any, field string, v any, empty bool) {
	if empty {
		delete(parent, field)
		return
	}
	var out any
	b, _ := json.Marshal(v)
	_ = json.Unmarshal(b, &out)
	parent[field] = out
}

func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		// reference.FromFloatPtrValue formats with no decimals.
		return strconv.FormatFloat(t, 'f', 0, 64)
	}
	return ""
}

func typedValue(v string, numeric bool) any {
	if !numeric {
		return v
	}
	// reference.ToFloatPtrValue; an unparsable value leaves the field unset.
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil
	}
	if f == float64(int64(f)) {
		return int64(f)
	}
	return f
}

// wasDeleted is meta.WasDeleted, named for the reconciler's readability.
func wasDeleted(mg *Managed) bool { return meta.WasDeleted(mg) }
