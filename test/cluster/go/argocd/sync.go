package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	gitopssync "github.com/argoproj/argo-cd/gitops-engine/pkg/sync"
	synccommon "github.com/argoproj/argo-cd/gitops-engine/pkg/sync/common"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/sync/hook"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/sync/syncwaves"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"
	cdcommon "github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// simulatedNote is printed in every report: the cluster is real, AWS is not.
const simulatedNote = "Argo CD v3.5.1 sync engine against a real API server; AWS is SIMULATED by the simulated-aws controller"

type commonFlags struct {
	kubeconfig, application, dist, argocdCM string
	timeout                                 time.Duration
}

func parseCommon(name string, args []string, extra func(fs *flag.FlagSet)) (*commonFlags, error) {
	f := &commonFlags{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig of the test cluster")
	fs.StringVar(&f.application, "application", "", "name of the Application in <dist>/argocd")
	fs.StringVar(&f.dist, "dist", "", "the dist/ folder")
	fs.StringVar(&f.argocdCM, "argocd-cm", "", "argocd-cm patch (default: docs/argocd/argocd-cm-patch.yaml beside dist/)")
	fs.DurationVar(&f.timeout, "timeout", 15*time.Minute, "give up after this long")
	prFile := fs.String("pull-requests", "", "JSON array of open pull requests for the ApplicationSets' pullRequest generators")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	prs, err := readPullRequests(*prFile)
	if err != nil {
		return nil, err
	}
	pullRequests = prs
	if f.application == "" {
		return nil, fmt.Errorf("--application: missing; pass the name of an Application in <dist>/argocd")
	}
	if f.dist == "" {
		return nil, fmt.Errorf("--dist: missing; pass the dist/ folder")
	}
	if f.argocdCM == "" {
		f.argocdCM = filepath.Join(filepath.Dir(filepath.Clean(f.dist)), "docs", "argocd", "argocd-cm-patch.yaml")
	}
	return f, nil
}

// healthSample is one observed health change of one object.
type healthSample struct {
	At        string `json:"at"`
	Wave      int    `json:"wave"`
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Message   string `json:"message"`
}

type resourceResult struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	SyncPhase string `json:"syncPhase"`
	Status    string `json:"status"`
	HookPhase string `json:"hookPhase,omitempty"`
	Message   string `json:"message"`
}

type syncReport struct {
	Note        string           `json:"note"`
	Application string           `json:"application"`
	Phase       string           `json:"phase"`
	Message     string           `json:"message"`
	Seconds     float64          `json:"seconds"`
	Resources   []resourceResult `json:"resources"`
	Hooks       []string         `json:"hooks"`
	Health      []healthSample   `json:"health"`
}

// permissionValidator is controller/sync.go validateSyncPermissions (L647-L670 at v3.5.1): the group/kind must be
// in the project's whitelists and, when namespaced, the namespace among its destinations.
func permissionValidator(proj *v1alpha1.AppProject) synccommon.PermissionValidator {
	return func(un *unstructured.Unstructured, res *metav1.APIResource) error {
		if res == nil {
			return fmt.Errorf("failed to get API resource info for %s/%s: unable to verify permissions", un.GroupVersionKind().Group, un.GroupVersionKind().Kind)
		}
		if !proj.IsGroupKindNamePermitted(un.GroupVersionKind().GroupKind(), un.GetName(), res.Namespaced) {
			return fmt.Errorf("resource %s:%s is not permitted in project %s", un.GroupVersionKind().Group, un.GroupVersionKind().Kind, proj.Name)
		}
		if res.Namespaced {
			permitted, err := proj.IsDestinationPermitted(inCluster, un.GetNamespace(), noProjectClusters)
			if err != nil {
				return err
			}
			if !permitted {
				return fmt.Errorf("namespace %v is not permitted in project '%s'", un.GetNamespace(), proj.Name)
			}
		}
		return nil
	}
}

// onlyDeleteHook: PreDelete/PostDelete hooks that are no sync-phase hook are not synced (controller/hook.go
// isPreDeleteHook/isPostDeleteHook L73-L79, hasGitOpsEngineSyncPhaseHook L86).
func onlyDeleteHook(obj *unstructured.Unstructured) bool {
	val, ok := obj.GetAnnotations()[synccommon.AnnotationKeyHook]
	if !ok {
		return false
	}
	deleteHook := false
	for _, v := range strings.Split(val, ",") {
		switch strings.TrimSpace(v) {
		case "PreDelete", "PostDelete":
			deleteHook = true
		}
	}
	if !deleteHook {
		return false
	}
	for _, t := range hook.Types(obj) {
		switch t {
		case synccommon.HookTypePreSync, synccommon.HookTypeSync, synccommon.HookTypePostSync, synccommon.HookTypeSyncFail:
			return false
		}
	}
	return true
}

// syncOptions are the options of the automated sync operation: the Application's syncPolicy.syncOptions
// (controller/appcontroller.go autoSync copies them into the operation).
func syncOptions(app *v1alpha1.Application) v1alpha1.SyncOptions {
	if app.Spec.SyncPolicy == nil {
		return nil
	}
	return app.Spec.SyncPolicy.SyncOptions
}

func runSync(args []string, out io.Writer) error {
	var reportFile string
	var waitHealth bool
	f, err := parseCommon("sync", args, func(fs *flag.FlagSet) {
		fs.StringVar(&reportFile, "report", "", "write the sync report (JSON) to this file")
		fs.BoolVar(&waitHealth, "wait-health", true, "after the sync operation, wait until every resource is Healthy (argocd app wait --health)")
	})
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
	if syncOptions(app).HasOption("CreateNamespace=true") {
		return fmt.Errorf("Application %q: CreateNamespace=true is not emulated by the harness; declare the Namespace in the manifests", app.Name)
	}
	lc, err := connect(f.kubeconfig, f.argocdCM)
	if err != nil {
		return err
	}

	report := &syncReport{Note: simulatedNote, Application: app.Name}
	start := time.Now()
	deadline := start.Add(f.timeout)
	opts := syncOptions(app)
	prune := app.Spec.SyncPolicy != nil && app.Spec.SyncPolicy.Automated != nil && app.Spec.SyncPolicy.Automated.Prune != nil && *app.Spec.SyncPolicy.Automated.Prune
	var (
		phase     synccommon.OperationPhase
		message   string
		results   []synccommon.ResourceSyncResult
		startedAt = metav1.Now()
		last      = map[string]string{}
	)
	fmt.Fprintf(out, "%s\nsyncing Application %s (%d manifests)\n", simulatedNote, app.Name, len(manifests))
	for {
		targets, err := lc.normalizedTargets(app, manifests)
		if err != nil {
			return err
		}
		live, err := lc.managedLiveObjs(app, proj, targets)
		if err != nil {
			return fmt.Errorf("cannot load live state: %w", err)
		}
		// Hook Jobs cannot run here (no kubelet): they are reported as "would start" instead of being created.
		syncTargets := make([]*unstructured.Unstructured, 0, len(targets))
		for _, t := range targets {
			if hook.IsHook(t) {
				continue
			}
			syncTargets = append(syncTargets, t)
		}
		recon := gitopssync.Reconcile(syncTargets, live, app.Spec.Destination.Namespace, lc.cache)
		if opts.HasOption("RespectIgnoreDifferences=true") {
			if recon.Target, err = respectIgnoreDifferences(lc, app, recon); err != nil {
				return err
			}
		}
		// The sync context is built afresh on every reconciliation from the persisted operation state, as the
		// controller does (controller/sync.go L202-L216, L303-L349 at v3.5.1), with the same options.
		initial := make([]synccommon.ResourceSyncResult, len(results))
		for i, r := range results {
			r.Order = i + 1
			initial[i] = r
		}
		pruneOpt := opts.GetOptionValue(synccommon.SyncOptionPrune)
		propagation := metav1.DeletePropagationForeground
		sc, cleanup, err := gitopssync.NewSyncContext("harness", recon, lc.config, lc.config, lc.kubectl, app.Spec.Destination.Namespace,
			gitopssync.WithLogr(logr.Discard()),
			gitopssync.WithHealthOverride(luaOverrides(lc)),
			gitopssync.WithPermissionValidator(permissionValidator(proj)),
			gitopssync.WithOperationSettings(false, prune, false, false),
			gitopssync.WithInitialState(phase, message, initial, startedAt),
			gitopssync.WithManifestValidation(!opts.HasOption(synccommon.SyncOptionsDisableValidation)),
			gitopssync.WithSyncWaveHook(delayBetweenSyncWaves),
			gitopssync.WithPruneLast(opts.HasOption(synccommon.SyncOptionPruneLast)),
			gitopssync.WithPrunePropagationPolicy(&propagation),
			gitopssync.WithReplace(opts.HasOption(synccommon.SyncOptionReplace)),
			gitopssync.WithServerSideApply(opts.HasOption(synccommon.SyncOptionServerSideApply)),
			gitopssync.WithServerSideApplyManager(cdcommon.ArgoCDSSAManager),
			gitopssync.WithClientSideApplyMigration(!opts.HasOption(synccommon.SyncOptionDisableClientSideApplyMigration), synccommon.DefaultClientSideApplyMigrationManager),
			gitopssync.WithPruneConfirmed(false),
			gitopssync.WithDefaultPruneOption(pruneOpt),
			gitopssync.WithSkipDryRunOnMissingResource(opts.HasOption(synccommon.SyncOptionSkipDryRunOnMissingResource)),
		)
		if err != nil {
			return fmt.Errorf("failed to initialize sync context: %w", err)
		}
		sc.Sync()
		phase, message, results = sc.GetState()
		cleanup()

		sampleHealth(lc, app, proj, syncTargets, report, last, out)
		if phase.Completed() {
			break
		}
		if time.Now().After(deadline) {
			report.Phase, report.Message = "Timeout", message
			_ = finishReport(report, results, targets, start, reportFile)
			return fmt.Errorf("Application %s did not finish syncing within %s: %s%s", app.Name, f.timeout, message, unhealthySummary(report))
		}
		time.Sleep(time.Second)
	}
	report.Phase, report.Message = string(phase), message
	targets, _ := lc.normalizedTargets(app, manifests)
	if phase.Successful() && waitHealth {
		// The operation ends once the last wave is applied (gitops-engine waits for health only between waves, and
		// only in a multi-step sync); Argo CD then keeps judging the application's health from its resources'
		// (controller/health.go setApplicationHealth: the worst of them). Wait, as `argocd app wait --health`
		// does, until every resource is Healthy, failing on the first Degraded one.
		fmt.Fprintf(out, "Application %s: sync %s; waiting until every resource is Healthy\n", app.Name, phase)
		nonHooks := make([]*unstructured.Unstructured, 0, len(targets))
		for _, t := range targets {
			if !hook.IsHook(t) {
				nonHooks = append(nonHooks, t)
			}
		}
		for {
			current := sampleHealth(lc, app, proj, nonHooks, report, last, out)
			var degraded []string
			waiting := 0
			for _, s := range current {
				switch s.Status {
				case "Healthy", "None":
				case "Degraded":
					degraded = append(degraded, fmt.Sprintf("%s/%s %s/%s: Degraded %s", s.Group, s.Kind, s.Namespace, s.Name, s.Message))
				default:
					waiting++
				}
			}
			if len(degraded) > 0 {
				sort.Strings(degraded)
				report.Phase, report.Message = "Degraded", strings.Join(degraded, "; ")
				_ = finishReport(report, results, targets, start, reportFile)
				return fmt.Errorf("Application %s synced, then a resource became Degraded:\n  %s", app.Name, strings.Join(degraded, "\n  "))
			}
			if waiting == 0 {
				break
			}
			if time.Now().After(deadline) {
				report.Phase, report.Message = "Timeout", "synced but not Healthy"
				_ = finishReport(report, results, targets, start, reportFile)
				return fmt.Errorf("Application %s did not finish syncing within %s: synced but not every resource is Healthy%s", app.Name, f.timeout, unhealthySummary(report))
			}
			time.Sleep(time.Second)
		}
		fmt.Fprintf(out, "Application %s: every resource Healthy after %.1fs\n", app.Name, time.Since(start).Seconds())
	}
	if err := finishReport(report, results, targets, start, reportFile); err != nil {
		return err
	}
	fmt.Fprintf(out, "Application %s: %s (%s) in %.1fs\n", app.Name, phase, message, report.Seconds)
	for _, h := range report.Hooks {
		fmt.Fprintln(out, h)
	}
	if !phase.Successful() {
		var failed []string
		for _, r := range report.Resources {
			if r.Status == string(synccommon.ResultCodeSyncFailed) || r.HookPhase == string(synccommon.OperationFailed) || r.HookPhase == string(synccommon.OperationError) {
				failed = append(failed, fmt.Sprintf("%s/%s %s/%s: %s", r.Group, r.Kind, r.Namespace, r.Name, r.Message))
			}
		}
		return fmt.Errorf("Application %s sync %s: %s\n  %s", app.Name, phase, message, strings.Join(failed, "\n  "))
	}
	return nil
}

// delayBetweenSyncWaves is the controller's SyncWaveHook (controller/sync.go L610-L622): 2 s between waves
// (ARGOCD_SYNC_WAVE_DELAY), so other controllers see the applied spec before health is judged.
func delayBetweenSyncWaves(_ synccommon.SyncPhase, _ int, finalWave bool) error {
	if !finalWave {
		time.Sleep(2 * time.Second)
	}
	return nil
}

// sampleHealth records every health change of the application's objects, judged by Argo CD's own health code.
// It returns the health of every target in this sample (nil when the live state cannot be read).
func sampleHealth(lc *liveCluster, app *v1alpha1.Application, proj *v1alpha1.AppProject, targets []*unstructured.Unstructured, report *syncReport, last map[string]string, out io.Writer) []healthSample {
	now := time.Now().UTC().Format(time.RFC3339)
	live, err := lc.managedLiveObjs(app, proj, targets)
	if err != nil {
		fmt.Fprintf(out, "%s cannot read live state: %v\n", now, err)
		return nil
	}
	current := make([]healthSample, 0, len(targets))
	for _, t := range targets {
		key := kube.GetResourceKey(t)
		status, msg := "Missing", ""
		if l := live[key]; l != nil {
			if hs := lc.health(l); hs != nil {
				status, msg = string(hs.Status), hs.Message
			} else {
				status = "None"
			}
		}
		k := key.String()
		s := healthSample{At: now, Wave: syncwaves.Wave(t), Group: key.Group, Kind: key.Kind, Namespace: key.Namespace, Name: key.Name, Status: status, Message: msg}
		current = append(current, s)
		if last[k] == status+"\x00"+msg {
			continue
		}
		last[k] = status + "\x00" + msg
		report.Health = append(report.Health, s)
		fmt.Fprintf(out, "%s wave %d %s/%s %s/%s: %s %s\n", now, s.Wave, s.Group, s.Kind, s.Namespace, s.Name, status, msg)
	}
	return current
}

func unhealthySummary(report *syncReport) string {
	latest := map[string]healthSample{}
	for _, s := range report.Health {
		latest[s.Group+"/"+s.Kind+"/"+s.Namespace+"/"+s.Name] = s
	}
	var lines []string
	for _, s := range latest {
		if s.Status != "Healthy" && s.Status != "None" {
			lines = append(lines, fmt.Sprintf("%s/%s %s/%s (wave %d): %s %s", s.Group, s.Kind, s.Namespace, s.Name, s.Wave, s.Status, s.Message))
		}
	}
	sort.Strings(lines)
	if len(lines) == 0 {
		return ""
	}
	return "\n  " + strings.Join(lines, "\n  ")
}

func finishReport(report *syncReport, results []synccommon.ResourceSyncResult, targets []*unstructured.Unstructured, start time.Time, file string) error {
	report.Seconds = time.Since(start).Seconds()
	for _, r := range results {
		report.Resources = append(report.Resources, resourceResult{
			Group: r.ResourceKey.Group, Kind: r.ResourceKey.Kind, Namespace: r.ResourceKey.Namespace, Name: r.ResourceKey.Name,
			SyncPhase: string(r.SyncPhase), Status: string(r.Status), HookPhase: string(r.HookPhase), Message: r.Message,
		})
	}
	report.Hooks = []string{}
	for _, t := range targets {
		if !hook.IsHook(t) {
			continue
		}
		types := make([]string, 0)
		for _, ht := range hook.Types(t) {
			types = append(types, string(ht))
		}
		slices.Sort(types)
		report.Hooks = append(report.Hooks, fmt.Sprintf("would start %s hook %s %s/%s (not run: the test cluster has no kubelet)", strings.Join(types, ","), t.GetKind(), t.GetNamespace(), t.GetName()))
	}
	if file == "" {
		return nil
	}
	raw, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}
