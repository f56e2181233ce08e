package main

import (
	"fmt"

	clustercache "github.com/argoproj/argo-cd/gitops-engine/pkg/cache"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/health"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/tracing"
	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/controller"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/argo"
	"github.com/argoproj/argo-cd/v3/util/lua"
	"github.com/argoproj/argo-cd/v3/util/settings"
	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// resInfo is what the application controller's live state cache stores per resource (controller/cache/cache.go
// L555-L582 at v3.5.1): the owning app's instance name from the tracking annotation, for root objects only.
type resInfo struct {
	appName string
}

// liveCluster is the application controller's view of the destination cluster: gitops-engine's cluster cache with
// the same settings Argo CD gives it (controller/cache/cache.go L262-L268 and L546-L591: resource exclusions from
// argocd-cm, health overrides, tracking-based app membership, CRDs always kept).
type liveCluster struct {
	config    *rest.Config
	cache     clustercache.ClusterCache
	kubectl   *kube.KubectlCmd
	overrides map[string]v1alpha1.ResourceOverride
	filter    *settings.ResourcesFilter
}

func connect(kubeconfig, argocdCM string) (*liveCluster, error) {
	if kubeconfig == "" {
		return nil, fmt.Errorf("--kubeconfig: missing; pass the kubeconfig file of the test cluster")
	}
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("--kubeconfig: cannot load %q: %w", kubeconfig, err)
	}
	mgr, err := argoSettings("", argocdCM)
	if err != nil {
		return nil, err
	}
	overrides, err := mgr.GetResourceOverrides()
	if err != nil {
		return nil, fmt.Errorf("--argocd-cm: Argo CD rejects the resource customizations: %w", err)
	}
	filter, err := mgr.GetResourcesFilter()
	if err != nil {
		return nil, fmt.Errorf("--argocd-cm: Argo CD rejects resource.exclusions/inclusions: %w", err)
	}
	tracking := argo.NewResourceTracking()
	c := clustercache.NewClusterCache(config,
		clustercache.SetSettings(clustercache.Settings{
			ResourceHealthOverride: lua.ResourceHealthOverrides(overrides),
			ResourcesFilter:        filter,
		}),
		clustercache.SetLogr(logr.Discard()),
		clustercache.SetPopulateResourceInfoHandler(func(un *unstructured.Unstructured, isRoot bool) (any, bool) {
			info := &resInfo{}
			appName := tracking.GetAppName(un, common.LabelKeyAppInstance, v1alpha1.TrackingMethodAnnotation, "")
			if isRoot && appName != "" {
				info.appName = appName
			}
			return info, info.appName != "" || un.GetKind() == kube.CustomResourceDefinitionKind
		}),
	)
	if err := c.EnsureSynced(); err != nil {
		return nil, fmt.Errorf("cannot read the cluster at %s: %w", config.Host, err)
	}
	return &liveCluster{
		config:    config,
		cache:     c,
		kubectl:   &kube.KubectlCmd{Log: logr.Discard(), Tracer: tracing.NopTracer{}},
		overrides: overrides,
		filter:    filter,
	}, nil
}

// managedLiveObjs is liveStateCache.GetManagedLiveObjs (controller/cache/cache.go L729-L737) followed by the
// project filter CompareAppState applies (controller/state.go L762-L783): live objects tracked to the app and
// permitted by its project.
func (lc *liveCluster) managedLiveObjs(app *v1alpha1.Application, proj *v1alpha1.AppProject, targets []*unstructured.Unstructured) (map[kube.ResourceKey]*unstructured.Unstructured, error) {
	objs, err := lc.cache.GetManagedLiveObjs(targets, func(r *clustercache.Resource) bool {
		info, ok := r.Info.(*resInfo)
		return ok && info.appName == app.InstanceName(argoCDNamespace)
	})
	if err != nil {
		return nil, err
	}
	for k, v := range objs {
		permitted, err := proj.IsLiveResourcePermitted(v, inCluster, noProjectClusters)
		if err != nil {
			return nil, err
		}
		if !permitted {
			delete(objs, k)
		}
	}
	return objs, nil
}

// normalizedTargets is what CompareAppState does to the repo server's manifests before reconciling: namespaces set
// or cleared by scope (controller.NormalizeTargetObjects, state.go L524), excluded kinds dropped (state.go L749-L758),
// and PreDelete/PostDelete-only hooks left out of the sync (state.go partitionTargetObjsForSync L611).
func (lc *liveCluster) normalizedTargets(app *v1alpha1.Application, manifests []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	copies := make([]*unstructured.Unstructured, len(manifests))
	for i, m := range manifests {
		copies[i] = m.DeepCopy()
	}
	targets, conditions, err := controller.NormalizeTargetObjects(app.Spec.Destination.Namespace, copies, lc.cache, func(u *unstructured.Unstructured) error {
		return argo.NewResourceTracking().SetAppInstance(u, common.LabelKeyAppInstance, app.InstanceName(argoCDNamespace), app.Spec.Destination.Namespace, v1alpha1.TrackingMethodAnnotation, "")
	})
	if err != nil {
		return nil, err
	}
	for _, c := range conditions {
		if c.IsError() {
			return nil, fmt.Errorf("Application %q: %s", app.Name, c.Message)
		}
	}
	out := targets[:0]
	for _, t := range targets {
		gvk := t.GroupVersionKind()
		if lc.filter.IsExcludedResource(gvk.Group, gvk.Kind, inCluster.Server) {
			continue
		}
		if onlyDeleteHook(t) {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

func (lc *liveCluster) health(obj *unstructured.Unstructured) *health.HealthStatus {
	return objectHealth(obj, lc.overrides)
}
