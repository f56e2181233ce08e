package sim

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	xpresource "github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/go-logr/logr"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// GroupSuffix selects the API groups of provider-upjet-aws's namespaced managed resources.
const GroupSuffix = ".aws.m.upbound.io"

// slowKinds take minutes in AWS; the simulator scales that down to Options.SlowDelay.
var slowKinds = map[schema.GroupKind]bool{
	{Group: "rds.aws.m.upbound.io", Kind: "Cluster"}:                  true,
	{Group: "rds.aws.m.upbound.io", Kind: "ClusterInstance"}:          true,
	{Group: "rds.aws.m.upbound.io", Kind: "Instance"}:                 true,
	{Group: "cloudfront.aws.m.upbound.io", Kind: "Distribution"}:      true,
	{Group: "elasticache.aws.m.upbound.io", Kind: "ReplicationGroup"}: true,
}

// Options configure the SIMULATED provider.
type Options struct {
	Delay        time.Duration
	SlowDelay    time.Duration
	PollInterval time.Duration
	Account      string
	Recorder     *Recorder
	// Inventory is what AWS held before Crossplane (--inventory); nil for an empty account.
	Inventory *Inventory
	Log       logr.Logger
}

// ManagedKind is one served managed-resource kind found in the CRDs.
type ManagedKind struct {
	GVK              schema.GroupVersionKind
	AtProviderSchema *apiextensionsv1.JSONSchemaProps
}

// ManagedKinds returns the kinds of the established CRDs in *.aws.m.upbound.io groups that are
// namespaced managed resources (category "managed"), at their storage version, which provider
// controllers watch.
func ManagedKinds(crds []apiextensionsv1.CustomResourceDefinition) []ManagedKind {
	var out []ManagedKind
	for _, c := range crds {
		if !strings.HasSuffix(c.Spec.Group, GroupSuffix) || c.Spec.Scope != apiextensionsv1.NamespaceScoped ||
			!slices.Contains(c.Spec.Names.Categories, "managed") || !established(c) {
			continue
		}
		for _, v := range c.Spec.Versions {
			if !v.Served || !v.Storage {
				continue
			}
			mk := ManagedKind{GVK: schema.GroupVersionKind{Group: c.Spec.Group, Version: v.Name, Kind: c.Spec.Names.Kind}}
			if v.Schema != nil && v.Schema.OpenAPIV3Schema != nil {
				if st, ok := v.Schema.OpenAPIV3Schema.Properties["status"]; ok {
					if ap, ok := st.Properties["atProvider"]; ok {
						mk.AtProviderSchema = &ap
					}
				}
			}
			out = append(out, mk)
		}
	}
	return out
}

func established(c apiextensionsv1.CustomResourceDefinition) bool {
	for _, cond := range c.Status.Conditions {
		if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
			return true
		}
	}
	return false
}

// Provider registers one controller per managed kind with a manager, also for CRDs installed later.
type Provider struct {
	Manager    manager.Manager
	Options    Options
	References References

	mu       sync.Mutex
	kinds    map[schema.GroupVersionKind]bool
	packages bool
}

// Sync adds controllers for kinds not yet watched and returns how many it added.
func (p *Provider) Sync(ctx context.Context) (int, error) {
	list := &apiextensionsv1.CustomResourceDefinitionList{}
	if err := p.Manager.GetAPIReader().List(ctx, list); err != nil {
		return 0, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kinds == nil {
		p.kinds = map[schema.GroupVersionKind]bool{}
	}
	added := 0
	if !p.packages && servesProviderPackages(list.Items) {
		if err := p.addPackages(); err != nil {
			return added, err
		}
		p.packages = true
		added++
	}
	for _, mk := range ManagedKinds(list.Items) {
		if p.kinds[mk.GVK] {
			continue
		}
		if err := p.add(mk); err != nil {
			return added, err
		}
		p.kinds[mk.GVK] = true
		added++
	}
	return added, nil
}

func (p *Provider) add(mk ManagedKind) error {
	delay := p.Options.Delay
	if slowKinds[mk.GVK.GroupKind()] {
		delay = p.Options.SlowDelay
	}
	c := p.Manager.GetClient()
	r := &Reconciler{
		Client: c, GVK: mk.GVK, Resolver: &Resolver{Client: c, References: p.References}, Recorder: p.Options.Recorder,
		Account: p.Options.Account, Delay: delay, PollInterval: p.Options.PollInterval, AtProviderSchema: mk.AtProviderSchema,
		Inventory: p.Options.Inventory,
		Log:       p.Options.Log.WithName(strings.ToLower(mk.GVK.Kind)),
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(mk.GVK)
	// Provider controllers filter on xpresource.DesiredStateChanged and back off exponentially
	// from 1 s to 60 s (provider-upjet-aws v2.6.0 internal/controller/namespaced/ec2/vpc/zz_controller.go:47,110).
	return ctrl.NewControllerManagedBy(p.Manager).
		Named("managed/" + strings.ToLower(mk.GVK.String())).
		For(u).
		WithEventFilter(xpresource.DesiredStateChanged()).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: 4,
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, 60*time.Second),
		}).
		Complete(r)
}

// servesProviderPackages reports whether Crossplane's Provider package kind is established (Crossplane core installed).
func servesProviderPackages(crds []apiextensionsv1.CustomResourceDefinition) bool {
	for _, c := range crds {
		if c.Spec.Group == ProviderPackageGVK.Group && c.Spec.Names.Kind == ProviderPackageGVK.Kind && established(c) {
			return true
		}
	}
	return false
}

// addPackages registers the SIMULATED package-manager stand-in for provider-upjet-aws's Provider packages.
func (p *Provider) addPackages() error {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(ProviderPackageGVK)
	r := &PackageReconciler{Client: p.Manager.GetClient(), Log: p.Options.Log.WithName("packages")}
	return ctrl.NewControllerManagedBy(p.Manager).Named("simulated-package-manager").For(u).Complete(r)
}

// Run discovers kinds until ctx ends, so CRDs installed after start are served too.
func (p *Provider) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := p.Sync(ctx)
		if err != nil {
			p.Options.Log.Error(err, "SIMULATED AWS: cannot discover managed kinds")
		} else if n > 0 {
			p.Options.Log.Info("SIMULATED AWS: watching managed kinds", "added", n, "total", len(p.kinds))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
