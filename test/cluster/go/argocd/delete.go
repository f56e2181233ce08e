package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	synccommon "github.com/argoproj/argo-cd/gitops-engine/pkg/sync/common"
	resourceutil "github.com/argoproj/argo-cd/gitops-engine/pkg/sync/resource"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/sync/syncwaves"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/argo-cd/v3/controller"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/helm"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// shouldBeDeleted is the controller's rule (controller/appcontroller.go L1252-L1261 at v3.5.1): never CRDs, never
// the Application itself, not with sync option Delete=false (on the object, else the Application's syncOptions),
// not with helm.sh/resource-policy: keep.
func shouldBeDeleted(app *v1alpha1.Application, obj *unstructured.Unstructured) bool {
	deleteOption := resourceutil.GetAnnotationOptionValue(obj, synccommon.AnnotationSyncOptions, synccommon.SyncOptionDelete)
	if deleteOption == nil && app.Spec.SyncPolicy != nil {
		deleteOption = app.Spec.SyncPolicy.SyncOptions.GetOptionValue(synccommon.SyncOptionDelete)
	}
	self := obj.GetKind() == "Application" && obj.GroupVersionKind().Group == "argoproj.io" &&
		obj.GetName() == app.Name && obj.GetNamespace() == app.Namespace
	return !kube.IsCRD(obj) && !self &&
		(deleteOption == nil || *deleteOption != synccommon.SyncValueFalse) &&
		!resourceutil.HasAnnotationOption(obj, helm.ResourcePolicyAnnotation, helm.ResourcePolicyKeep)
}

// runDelete does what the application controller does once an Application with the cascade finalizer is deleted
// (finalizeApplicationDeletion, controller/appcontroller.go L1282-L1385 at v3.5.1), one reconciliation per second:
// take the live objects tracked to the app that the AppProject permits (getPermittedAppLiveObjects L1263: the
// project's whitelists and destinations, as the project is at that moment); wait while any is being deleted; of
// those that should be deleted, delete the highest sync wave only (FilterObjectsForDeletion, sort_delete.go), with
// foreground propagation unless the finalizer asks for background; done when none is left. Objects the project does
// not permit are never deleted, and are reported.
func runDelete(args []string, out io.Writer) error {
	var projectDist string
	f, err := parseCommon("delete", args, func(fs *flag.FlagSet) {
		fs.StringVar(&projectDist, "project-dist", "", "dist/ folder to read the AppProject from, as it is when the Application is deleted (default --dist)")
	})
	if err != nil {
		return err
	}
	app, proj, err := loadApplication(f.dist, projectDist, f.application)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, simulatedNote)
	if !app.CascadedDeletion() {
		fmt.Fprintf(out, "Application %s has no resources finalizer: Argo CD deletes none of its resources\n", app.Name)
		return nil
	}
	lc, err := connect(f.kubeconfig, f.argocdCM)
	if err != nil {
		return err
	}
	propagation := metav1.DeletePropagationForeground
	if app.GetPropagationPolicy() == v1alpha1.BackgroundPropagationPolicyFinalizer {
		propagation = metav1.DeletePropagationBackground
	}
	deadline := time.Now().Add(f.timeout)
	reported := map[string]bool{}
	var lastErr error
	for {
		if err := reportNotPermitted(lc, app, proj, reported, out); err != nil {
			return err
		}
		objs, err := lc.managedLiveObjs(app, proj, nil)
		if err != nil {
			return err
		}
		pending := false
		var toDelete []*unstructured.Unstructured
		for _, o := range objs {
			if o.GetDeletionTimestamp() != nil {
				pending = true
			}
			if shouldBeDeleted(app, o) {
				toDelete = append(toDelete, o)
			}
		}
		if len(toDelete) == 0 {
			fmt.Fprintf(out, "Application %s: all resources deleted\n", app.Name)
			return nil
		}
		if !pending {
			sort.Slice(toDelete, func(i, j int) bool {
				return keyOf(toDelete[i]) < keyOf(toDelete[j])
			})
			batch := controller.FilterObjectsForDeletion(toDelete)
			now := time.Now().UTC().Format(time.RFC3339)
			err := kube.RunAllAsync(len(batch), func(i int) error {
				o := batch[i]
				return lc.kubectl.DeleteResource(context.Background(), lc.config, o.GroupVersionKind(), o.GetName(), o.GetNamespace(), metav1.DeleteOptions{PropagationPolicy: &propagation})
			})
			for _, o := range batch {
				fmt.Fprintf(out, "%s delete wave %d %s\n", now, syncwaves.Wave(o), keyOf(o))
			}
			if err != nil {
				// The controller sets a DeletionError condition and tries again on its next reconciliation
				// (controller/appcontroller.go:1138-1149 at v3.5.1); e.g. Crossplane's Usage webhook refuses a
				// protected resource until the resource using it is gone.
				lastErr = fmt.Errorf("deleting wave %d failed: %w", syncwaves.Wave(batch[0]), err)
				fmt.Fprintf(out, "%s DeletionError (retried): %v\n", now, lastErr)
			}
		}
		if time.Now().After(deadline) {
			var left []string
			for _, o := range toDelete {
				left = append(left, fmt.Sprintf("%s (finalizers %v)", keyOf(o), o.GetFinalizers()))
			}
			sort.Strings(left)
			if lastErr != nil {
				return fmt.Errorf("Application %s: %d resources still not deleted after %s: %v; last error: %w", app.Name, len(left), f.timeout, left, lastErr)
			}
			return fmt.Errorf("Application %s: %d resources still not deleted after %s: %v", app.Name, len(left), f.timeout, left)
		}
		time.Sleep(time.Second)
	}
}

// reportNotPermitted names, once each, the live objects tracked to the app that the project does not permit: Argo
// CD leaves them in place (and a namespace deletion may then take them).
func reportNotPermitted(lc *liveCluster, app *v1alpha1.Application, proj *v1alpha1.AppProject, reported map[string]bool, out io.Writer) error {
	all, err := lc.managedLiveObjs(app, &v1alpha1.AppProject{Spec: v1alpha1.AppProjectSpec{
		Destinations:             []v1alpha1.ApplicationDestination{{Server: "*", Namespace: "*"}},
		ClusterResourceWhitelist: []v1alpha1.ClusterResourceRestrictionItem{{Group: "*", Kind: "*"}},
	}}, nil)
	if err != nil {
		return err
	}
	for k, o := range all {
		ok, err := proj.IsLiveResourcePermitted(o, inCluster, noProjectClusters)
		if err != nil {
			return err
		}
		if !ok && !reported[k.String()] {
			reported[k.String()] = true
			fmt.Fprintf(out, "not permitted by AppProject %s, left in place: %s\n", proj.Name, k)
		}
	}
	return nil
}

func keyOf(o *unstructured.Unstructured) string {
	k := kube.GetResourceKey(o)
	return k.String()
}
