package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/health"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// healthResult is one line of `health` output. Status is null when Argo CD has no health check for the kind (a
// ConfigMap, a Secret): Argo CD then treats the object as healthy once applied (gitops-engine sync_context.go L558).
type healthResult struct {
	Kind      string  `json:"kind"`
	Namespace string  `json:"namespace"`
	Name      string  `json:"name"`
	Status    *string `json:"status"`
	Message   string  `json:"message"`
}

// objectHealth is exactly what the application controller computes per resource (controller/health.go L46-L52 at
// v3.5.1): health.GetResourceHealth with the argocd-cm overrides as a Lua HealthOverride. GetResourceHealth
// (gitops-engine pkg/health/health.go) reports "Pending deletion" for deleting objects, then asks the override
// (util/lua/lua.go GetHealthScript L169: exact argocd-cm key, then argocd-cm wildcard keys, then the embedded
// resource_customizations script, then the embedded wildcard folders such as _.upbound.io/_), then falls back to
// the built-in Go checks for core kinds.
func objectHealth(obj *unstructured.Unstructured, overrides map[string]v1alpha1.ResourceOverride) *health.HealthStatus {
	hs, err := health.GetResourceHealth(obj, lua.ResourceHealthOverrides(overrides))
	if err != nil && hs == nil {
		return &health.HealthStatus{Status: health.HealthStatusUnknown, Message: err.Error()}
	}
	return hs
}

func runHealth(args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	cmFile := fs.String("argocd-cm", "", "argocd-cm ConfigMap or patch whose resource.customizations apply")
	baseFile := fs.String("base-cm", "", "argocd-cm of the Argo CD install the patch is merged into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	overrides, err := resourceOverrides(*baseFile, *cmFile)
	if err != nil {
		return err
	}
	var objs []map[string]any
	if err := json.NewDecoder(in).Decode(&objs); err != nil {
		return fmt.Errorf("stdin: expected a JSON array of Kubernetes objects: %w", err)
	}
	results := make([]healthResult, 0, len(objs))
	for i, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		if u.GetKind() == "" || u.GetAPIVersion() == "" {
			return fmt.Errorf("stdin: object %d has no apiVersion/kind; every object needs both", i)
		}
		r := healthResult{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
		if hs := objectHealth(u, overrides); hs != nil {
			s := string(hs.Status)
			r.Status, r.Message = &s, hs.Message
		}
		results = append(results, r)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

type groupKind struct {
	Group    string `json:"group"`
	Kind     string `json:"kind"`
	Excluded bool   `json:"excluded"`
}

// runExcluded answers, for each group/kind on stdin, whether Argo CD ignores it (neither watched nor managed):
// settings.ResourcesFilter.IsExcludedResource (util/settings/resources_filter.go L64 at v3.5.1), fed by
// GetResourcesFilter, which takes `resource.exclusions` from argocd-cm as a whole (settings.go L881-L888: the key
// replaces, never merges) and always adds only coreExcludedResources (resources_filter.go L7-L11).
func runExcluded(args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("excluded", flag.ContinueOnError)
	cmFile := fs.String("argocd-cm", "", "argocd-cm ConfigMap or patch")
	baseFile := fs.String("base-cm", "", "argocd-cm of the Argo CD install the patch is merged into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	mgr, err := argoSettings(*baseFile, *cmFile)
	if err != nil {
		return err
	}
	filter, err := mgr.GetResourcesFilter()
	if err != nil {
		return fmt.Errorf("--argocd-cm: Argo CD rejects resource.exclusions/inclusions: %w", err)
	}
	var gks []groupKind
	if err := json.NewDecoder(in).Decode(&gks); err != nil {
		return fmt.Errorf("stdin: expected a JSON array of {group, kind}: %w", err)
	}
	for i := range gks {
		gks[i].Excluded = filter.IsExcludedResource(gks[i].Group, gks[i].Kind, "https://kubernetes.default.svc")
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(gks)
}
