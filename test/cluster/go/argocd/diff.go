package main

import (
	"fmt"
	"io"
	"reflect"
	"strings"

	gitopsdiff "github.com/argoproj/argo-cd/gitops-engine/pkg/diff"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/health"
	gitopssync "github.com/argoproj/argo-cd/gitops-engine/pkg/sync"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/sync/hook"
	resourceutil "github.com/argoproj/argo-cd/gitops-engine/pkg/sync/resource"
	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	argodiff "github.com/argoproj/argo-cd/v3/util/argo/diff"
	"github.com/argoproj/argo-cd/v3/util/argo/normalizers"
	kubeutil "github.com/argoproj/argo-cd/v3/util/kube"
	"github.com/argoproj/argo-cd/v3/util/lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func luaOverrides(lc *liveCluster) health.HealthOverride {
	return lua.ResourceHealthOverrides(lc.overrides)
}

// diffConfig is the diff configuration CompareAppState builds (controller/state.go L875-L916 at v3.5.1): the
// Application's ignoreDifferences and the argocd-cm overrides, annotation tracking, no cache, the cluster's GVK
// parser, manager argocd-controller, server-side diff when the Application asks for it (compare-options
// ServerSideDiff=true) with a dry-run applier (util/kube/kubectl.go ManageServerSideDiffDryRuns), and structured
// merge diff under ServerSideApply=true.
func diffConfig(lc *liveCluster, app *v1alpha1.Application, forceServerSide bool) (argodiff.DiffConfig, func(), error) {
	b := argodiff.NewDiffConfigBuilder().
		WithDiffSettings(app.Spec.IgnoreDifferences, lc.overrides, false, normalizers.IgnoreNormalizerOpts{}).
		WithTracking(common.LabelKeyAppInstance, string(v1alpha1.TrackingMethodAnnotation)).
		WithNoCache().
		WithGVKParser(lc.cache.GetGVKParser()).
		WithManager(common.ArgoCDSSAManager)
	serverSide := forceServerSide || resourceutil.HasAnnotationOption(app, common.AnnotationCompareOptions, "ServerSideDiff=true")
	if resourceutil.HasAnnotationOption(app, common.AnnotationCompareOptions, "IncludeMutationWebhook=true") {
		b.WithIgnoreMutationWebhook(false)
	}
	b.WithServerSideDiff(serverSide)
	cleanup := func() {}
	if serverSide {
		applier, c, err := kubeutil.ManageServerSideDiffDryRuns(lc.config, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot prepare server-side dry runs: %w", err)
		}
		cleanup = c
		b.WithServerSideDryRunner(gitopsdiff.NewK8sServerSideDryRunner(applier))
	}
	if syncOptions(app).HasOption("ServerSideApply=true") {
		b.WithStructuredMergeDiff(true)
	}
	cfg, err := b.Build()
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return cfg, cleanup, nil
}

// respectIgnoreDifferences gives RespectIgnoreDifferences=true its meaning: fields the diff ignores keep their
// live value in what the sync applies. Argo CD does this in controller/sync.go normalizeTargetResources (L421-L491
// at v3.5.1) by normalizing live and target with the diff config (util/argo/diff Normalize) and patching the live
// values of the normalized-away fields into the target. Here: every field that normalization removed or changed in
// the target takes the live object's value (or is dropped when live has none); lists are taken whole.
func respectIgnoreDifferences(lc *liveCluster, app *v1alpha1.Application, recon gitopssync.ReconciliationResult) ([]*unstructured.Unstructured, error) {
	cfg, cleanup, err := diffConfig(lc, app, false)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	normalized, err := argodiff.Normalize(recon.Live, recon.Target, cfg)
	if err != nil {
		return nil, fmt.Errorf("Failed to normalize target resources: %w", err)
	}
	out := make([]*unstructured.Unstructured, len(recon.Target))
	for i, target := range recon.Target {
		live := recon.Live[i]
		if target == nil || live == nil || normalized.Targets[i] == nil {
			out[i] = target
			continue
		}
		patched := target.DeepCopy()
		liveNoStatus := live.DeepCopy()
		unstructured.RemoveNestedField(liveNoStatus.Object, "status")
		keepLiveWhereIgnored(patched.Object, normalized.Targets[i].Object, liveNoStatus.Object)
		out[i] = patched
	}
	return out, nil
}

func keepLiveWhereIgnored(target, normalizedTarget, live map[string]any) {
	for k, tv := range target {
		if k == "status" {
			continue
		}
		nv, kept := normalizedTarget[k]
		if kept && reflect.DeepEqual(tv, nv) {
			continue
		}
		tm, tIsMap := tv.(map[string]any)
		nm, nIsMap := nv.(map[string]any)
		lm, lIsMap := live[k].(map[string]any)
		if kept && tIsMap && nIsMap && lIsMap {
			keepLiveWhereIgnored(tm, nm, lm)
			continue
		}
		if lv, ok := live[k]; ok {
			target[k] = lv
		} else {
			delete(target, k)
		}
	}
}

// runDiff is Argo CD's comparison (CompareAppState: reconcile, then argodiff.StateDiffs) with server-side diff: a
// server-side dry-run apply by argocd-controller predicts each object, and differences the Application's
// ignoreDifferences and the argocd-cm overrides ignore are normalized away as Argo CD does.
func runDiff(args []string, out io.Writer) error {
	f, err := parseCommon("diff", args, nil)
	if err != nil {
		return err
	}
	app, proj, err := loadApplication(f.dist, "", f.application)
	if err != nil {
		return err
	}
	manifests, err := appManifests(f.dist, app)
	if err != nil {
		return err
	}
	lc, err := connect(f.kubeconfig, f.argocdCM)
	if err != nil {
		return err
	}
	targets, err := lc.normalizedTargets(app, manifests)
	if err != nil {
		return err
	}
	live, err := lc.managedLiveObjs(app, proj, targets)
	if err != nil {
		return err
	}
	recon := gitopssync.Reconcile(targets, live, app.Spec.Destination.Namespace, lc.cache)
	cfg, cleanup, err := diffConfig(lc, app, true)
	if err != nil {
		return err
	}
	defer cleanup()
	results, err := argodiff.StateDiffs(recon.Live, recon.Target, cfg)
	if err != nil {
		return fmt.Errorf("Failed to compare desired state to live state: %w", err)
	}
	fmt.Fprintln(out, simulatedNote)
	var changed []string
	for i, d := range results.Diffs {
		obj := recon.Target[i]
		if obj == nil {
			obj = recon.Live[i]
		}
		if hook.IsHook(obj) || !d.Modified {
			continue
		}
		key := keyOf(obj)
		switch {
		case recon.Live[i] == nil:
			changed = append(changed, fmt.Sprintf("%s: missing from the cluster", key))
		case recon.Target[i] == nil:
			changed = append(changed, fmt.Sprintf("%s: not in git (would be pruned)", key))
		default:
			changed = append(changed, fmt.Sprintf("%s: would change\n%s", key, fieldDiff(d)))
		}
	}
	for _, c := range changed {
		fmt.Fprintln(out, c)
	}
	if len(changed) > 0 {
		return fmt.Errorf("Application %s is OutOfSync: %d objects would change", app.Name, len(changed))
	}
	fmt.Fprintf(out, "Application %s: Synced, no object would change\n", app.Name)
	return nil
}

// fieldDiff lists the leaf paths where Argo CD's predicted live state differs from the normalized live state.
func fieldDiff(d gitopsdiff.DiffResult) string {
	var live, predicted map[string]any
	_ = (&unstructured.Unstructured{}).UnmarshalJSON(d.NormalizedLive)
	lu, pu := &unstructured.Unstructured{}, &unstructured.Unstructured{}
	if err := lu.UnmarshalJSON(d.NormalizedLive); err == nil {
		live = lu.Object
	}
	if err := pu.UnmarshalJSON(d.PredictedLive); err == nil {
		predicted = pu.Object
	}
	var lines []string
	walkDiff("", live, predicted, &lines)
	return "    " + strings.Join(lines, "\n    ")
}

func walkDiff(prefix string, a, b any, lines *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for k := range keys {
			walkDiff(prefix+"."+k, am[k], bm[k], lines)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*lines = append(*lines, fmt.Sprintf("%s: live %v -> desired %v", prefix, a, b))
	}
}
