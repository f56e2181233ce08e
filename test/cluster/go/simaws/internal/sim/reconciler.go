package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/password"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpresource "github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Messages of crossplane-runtime v2.2.0 pkg/reconciler/managed/reconciler.go:62-70.
const (
	errCreateIncomplete         = "cannot determine creation result - remove the " + meta.AnnotationKeyExternalCreatePending + " annotation if it is safe to proceed"
	errReconcileConnect         = "connect failed"
	errReconcileObserve         = "observe failed"
	errReconcileDelete          = "delete failed"
	errExternalResourceNotExist = "external resource does not exist"
	errUpdateManaged            = "cannot update managed resource"
	errUpdateManagedAnnotations = "cannot update managed resource annotations"
)

// Tag keys upjet's Tagger writes (crossplane-runtime v2.2.0 pkg/resource/resource.go:50-53).
const (
	tagKind     = xpresource.ExternalResourceTagKeyKind
	tagName     = xpresource.ExternalResourceTagKeyName
	tagProvider = xpresource.ExternalResourceTagKeyProvider
)

// external is the SIMULATED state of one resource "in AWS".
type external struct {
	exists       bool
	externalName string
	computed     map[string]any
	specHash     string
	revision     int64
	// op is an async operation in flight (create, update, delete), as upjet's operation tracker
	// holds it; it completes at opDone.
	op      string
	opStart time.Time
	opDone  time.Time
	// gone marks a resource this process deleted, so its annotations no longer name an existing one.
	gone bool
	// aws holds, for a resource of the --inventory (created before Crossplane), what AWS holds in
	// the provider's field names; an update is due when spec.forProvider differs from it.
	aws map[string]any
	// pending lists the fields an update in flight changes; pendingSpec is the spec.forProvider it
	// applies (the desired state when the update started, as upjet hands it to Terraform).
	pending     []string
	pendingSpec map[string]any
}

// Reconciler reconciles one managed kind the way crossplane-runtime's managed.Reconciler drives
// provider-upjet-aws's async Terraform external client, with an in-memory SIMULATED AWS.
type Reconciler struct {
	Client       client.Client
	GVK          schema.GroupVersionKind
	Resolver     *Resolver
	Recorder     *Recorder
	Account      string
	Delay        time.Duration
	PollInterval time.Duration
	// AtProviderSchema is the CRD schema of status.atProvider; values it does not declare are not
	// written (the API server would prune them). Nil keeps everything.
	AtProviderSchema *apiextensionsv1.JSONSchemaProps
	// Inventory is what AWS held before (nil: an external name set on an Observe-only resource is
	// taken to name an existing resource).
	Inventory *Inventory
	Now       func() time.Time
	Log       logr.Logger

	mu    sync.Mutex
	state map[string]*external
	// families is the SIMULATED ECS registry: the latest revision per task definition family.
	families map[string]int64
}

func (r *Reconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// stateKey names an external resource by the object's identity: a recreated object (new UID)
// is a new external resource.
func stateKey(mg *Managed) string {
	return mg.GetNamespace() + "/" + mg.GetName() + "/" + string(mg.GetUID())
}

func (r *Reconciler) ext(mg *Managed) *external {
	uid := stateKey(mg)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state == nil {
		r.state = map[string]*external{}
	}
	e, ok := r.state[uid]
	if !ok {
		e = &external{}
		r.state[uid] = e
	}
	return e
}

func (r *Reconciler) forget(mg *Managed) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.state, stateKey(mg))
}

// Reconcile follows crossplane-runtime v2.2.0 managed.Reconciler.Reconcile
// (pkg/reconciler/managed/reconciler.go:886-1512) step by step; line numbers below refer to it.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	res, err := r.reconcile(ctx, req)
	// 889: errors.SilentlyRequeueOnConflict.
	if kerrors.IsConflict(errors.Cause(err)) {
		return reconcile.Result{Requeue: true}, nil
	}
	return res, err
}

func (r *Reconciler) reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	mg := NewManaged(r.GVK)
	if err := r.Client.Get(ctx, req.NamespacedName, mg.Unstructured); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	log := r.Log.WithValues("kind", r.GVK.Kind, "namespace", req.Namespace, "name", req.Name)

	// Management policies are on by default in provider-upjet-aws v2 (see package doc).
	policy := managed.NewManagementPoliciesResolver(true, mg.GetManagementPolicies())

	// 938-946
	if meta.IsPaused(mg) || policy.IsPaused() {
		mg.SetConditions(xpv1.ReconcilePaused())
		return reconcile.Result{}, r.statusUpdate(ctx, mg)
	}
	// 956-967
	if err := policy.Validate(); err != nil {
		mg.SetConditions(xpv1.ReconcileError(err))
		return reconcile.Result{}, r.statusUpdate(ctx, mg)
	}

	// 972-1021: no Delete policy: never touch AWS, drop the finalizer.
	if wasDeleted(mg) && !policy.ShouldDelete() {
		e := r.ext(mg)
		if meta.FinalizerExists(mg, managed.FinalizerName) {
			r.Recorder.Record(Entry{Action: ActionOrphan, Kind: r.GVK, Namespace: mg.GetNamespace(), Name: mg.GetName(), ExternalName: firstNonEmpty(e.externalName, meta.GetExternalName(mg))})
			log.Info("SIMULATED AWS: deletion without Delete policy; external resource kept", "externalName", meta.GetExternalName(mg))
		}
		if err := r.removeFinalizer(ctx, mg); err != nil {
			if kerrors.IsConflict(err) {
				return reconcile.Result{Requeue: true}, nil
			}
			mg.SetConditions(xpv1.Deleting(), xpv1.ReconcileError(err))
			return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
		}
		r.forget(mg)
		return reconcile.Result{}, nil
	}

	// 1023-1037
	if err := r.initialize(ctx, mg, policy); err != nil {
		if kerrors.IsConflict(err) {
			return reconcile.Result{Requeue: true}, nil
		}
		mg.SetConditions(xpv1.ReconcileError(err))
		return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
	}

	// 1044-1054: provider-upjet-aws does not declare deterministic external names.
	if meta.ExternalCreateIncomplete(mg) {
		mg.SetConditions(xpv1.Creating(), xpv1.ReconcileError(errors.New(errCreateIncomplete)))
		return reconcile.Result{}, r.statusUpdate(ctx, mg)
	}

	// 1065-1083
	if !wasDeleted(mg) {
		if err := r.Resolver.ResolveReferences(ctx, mg); err != nil {
			log.V(1).Info("SIMULATED AWS: cannot resolve references", "error", err.Error())
			if kerrors.IsConflict(err) {
				return reconcile.Result{Requeue: true}, nil
			}
			mg.SetConditions(xpv1.ReconcileError(err))
			return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
		}
	}

	// 1085-1102: upjet connects through the referenced ProviderConfig.
	if err := r.connect(ctx, mg); err != nil {
		mg.SetConditions(xpv1.ReconcileError(errors.Wrap(err, errReconcileConnect)))
		return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
	}

	// 1118-1136
	e := r.ext(mg)
	if e.op != "" && !r.now().Before(e.opDone) {
		r.finish(mg, e)
		// upjet's async callback (pkg/controller/api.go:124-169) reports the finished operation
		// with its own status update.
		if e.op == "" && e.gone {
			// a finished delete has no callback condition worth keeping on an object about to go
		} else {
			mg.SetConditions(xpv1.Condition{Type: "LastAsyncOperation", Status: corev1.ConditionTrue, Reason: "Success", LastTransitionTime: metav1Now(r.now())}, xpv1.ReconcileSuccess())
			if err := r.statusUpdate(ctx, mg); err != nil {
				return reconcile.Result{}, err
			}
		}
	}
	obs := r.observe(mg, e, policy)

	// 1140-1145
	if !obs.exists && policy.ShouldOnlyObserve() {
		mg.SetConditions(xpv1.ReconcileError(errors.Wrap(errors.New(errExternalResourceNotExist), errReconcileObserve)))
		return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
	}

	// 1165-1256
	if wasDeleted(mg) {
		if len(mg.GetFinalizers()) > 1 {
			return reconcile.Result{RequeueAfter: r.requeue()}, nil
		}
		if obs.exists && policy.ShouldDelete() {
			if err := r.startDelete(mg, e); err != nil {
				mg.SetConditions(xpv1.Deleting(), xpv1.ReconcileError(errors.Wrap(err, errReconcileDelete)))
				return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
			}
			mg.SetConditions(xpv1.Deleting(), xpv1.ReconcileSuccess())
			return reconcile.Result{RequeueAfter: r.untilDone(e)}, r.statusUpdate(ctx, mg)
		}
		if err := r.removeFinalizer(ctx, mg); err != nil {
			if kerrors.IsConflict(err) {
				return reconcile.Result{Requeue: true}, nil
			}
			mg.SetConditions(xpv1.Deleting(), xpv1.ReconcileError(err))
			return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
		}
		r.forget(mg)
		return reconcile.Result{}, nil
	}

	// 1274-1287
	if !meta.FinalizerExists(mg, managed.FinalizerName) {
		meta.AddFinalizer(mg, managed.FinalizerName)
		if err := r.Client.Update(ctx, mg.Unstructured); err != nil {
			if kerrors.IsConflict(err) {
				return reconcile.Result{Requeue: true}, nil
			}
			mg.SetConditions(xpv1.ReconcileError(err))
			return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
		}
	}

	// 1289-1411
	if !obs.exists && policy.ShouldCreate() {
		meta.SetExternalCreatePending(mg, r.now())
		if err := r.Client.Update(ctx, mg.Unstructured); err != nil {
			if kerrors.IsConflict(err) {
				return reconcile.Result{Requeue: true}, nil
			}
			mg.SetConditions(xpv1.Creating(), xpv1.ReconcileError(errors.Wrap(err, errUpdateManaged)))
			return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
		}
		r.startCreate(mg, e)
		meta.SetExternalCreateSucceeded(mg, r.now())
		if err := r.updateCriticalAnnotations(ctx, mg); err != nil {
			if kerrors.IsConflict(err) {
				return reconcile.Result{Requeue: true}, nil
			}
			mg.SetConditions(xpv1.Creating(), xpv1.ReconcileError(errors.Wrap(err, errUpdateManagedAnnotations)))
			return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
		}
		log.Info("SIMULATED AWS: create requested", "completesIn", r.Delay.String())
		mg.SetConditions(xpv1.Creating(), xpv1.ReconcileSuccess())
		return reconcile.Result{RequeueAfter: r.untilDone(e)}, r.statusUpdate(ctx, mg)
	}

	// 1413-1428: upjet reports a changed external name as late initialization
	// (upjet external_tfpluginsdk.go:606-611), persisted only with the LateInitialize policy.
	if obs.lateInitialized && policy.ShouldLateInitialize() {
		if err := r.Client.Update(ctx, mg.Unstructured); err != nil {
			mg.SetConditions(xpv1.ReconcileError(errors.Wrap(err, errUpdateManaged)))
			return reconcile.Result{Requeue: true}, r.statusUpdate(ctx, mg)
		}
	}

	// 1430-1449
	if obs.upToDate {
		mg.SetConditions(xpv1.ReconcileSuccess())
		after := r.requeue()
		if e.op != "" {
			after = r.untilDone(e)
		}
		return reconcile.Result{RequeueAfter: after}, r.statusUpdate(ctx, mg)
	}
	// 1456-1462
	if !policy.ShouldUpdate() {
		mg.SetConditions(xpv1.ReconcileSuccess())
		return reconcile.Result{RequeueAfter: r.requeue()}, r.statusUpdate(ctx, mg)
	}
	// 1464-1511
	r.startUpdate(mg, e)
	log.Info("SIMULATED AWS: update requested", "externalName", e.externalName)
	mg.SetConditions(xpv1.ReconcileSuccess())
	return reconcile.Result{RequeueAfter: r.untilDone(e)}, r.statusUpdate(ctx, mg)
}

func (r *Reconciler) requeue() time.Duration {
	if r.PollInterval > 0 {
		return r.PollInterval
	}
	return time.Minute
}

func (r *Reconciler) untilDone(e *external) time.Duration {
	d := e.opDone.Sub(r.now())
	if d < 10*time.Millisecond {
		d = 10 * time.Millisecond
	}
	return d
}

// statusUpdate is the reconciler's r.client.Status().Update (conflicts requeue silently, 889).
func (r *Reconciler) statusUpdate(ctx context.Context, mg *Managed) error {
	err := r.Client.Status().Update(ctx, mg.Unstructured)
	if kerrors.IsNotFound(err) {
		return nil
	}
	return errors.Wrap(err, "cannot update managed resource status")
}

// removeFinalizer is resource.APIFinalizer.RemoveFinalizer (crossplane-runtime pkg/resource/api.go:176-184).
func (r *Reconciler) removeFinalizer(ctx context.Context, mg *Managed) error {
	if !meta.FinalizerExists(mg, managed.FinalizerName) {
		return nil
	}
	meta.RemoveFinalizer(mg, managed.FinalizerName)
	return client.IgnoreNotFound(r.Client.Update(ctx, mg.Unstructured))
}

// updateCriticalAnnotations is managed.RetryingCriticalAnnotationUpdater (api.go:283-301).
func (r *Reconciler) updateCriticalAnnotations(ctx context.Context, mg *Managed) error {
	a := mg.GetAnnotations()
	return retry.OnError(retry.DefaultRetry, func(err error) bool { return !errors.Is(err, context.Canceled) }, func() error {
		err := r.Client.Update(ctx, mg.Unstructured)
		if kerrors.IsConflict(err) {
			if getErr := r.Client.Get(ctx, client.ObjectKeyFromObject(mg), mg.Unstructured); getErr != nil {
				return getErr
			}
			meta.AddAnnotations(mg, a)
		}
		return err
	})
}

// initialize runs the initializers provider-upjet-aws v2.6.0 chains for the kind, in its order:
// the Tagger for kinds with tags (config/overrides.go:158-163, upjet pkg/config/resource.go:344-365),
// the RDS password generator (config/namespaced/rds/config.go:69-73, config/namespaced/common/common.go:84-139),
// then NameAsExternalName unless the kind's identifier comes from AWS (api.go:69-77).
func (r *Reconciler) initialize(ctx context.Context, mg *Managed, policy managed.ManagementPoliciesChecker) error {
	if !policy.ShouldOnlyObserve() {
		if _, found, _ := unstructured.NestedFieldNoCopy(mg.Object, "spec", "forProvider", "tags"); found || r.hasTags() {
			_, pcName := mg.ProviderConfigReference()
			kind := strings.ToLower(r.GVK.GroupKind().String())
			m, _, _ := unstructured.NestedMap(mg.Object, "spec", "forProvider", "tags")
			if m == nil {
				m = map[string]any{}
			}
			m[tagKind], m[tagName], m[tagProvider] = kind, mg.GetName(), pcName
			if err := unstructured.SetNestedMap(mg.Object, m, "spec", "forProvider", "tags"); err != nil {
				return err
			}
			if err := r.Client.Update(ctx, mg.Unstructured); err != nil {
				return err
			}
		}
	}
	switch r.GVK.GroupKind() {
	case schema.GroupKind{Group: "rds.aws.m.upbound.io", Kind: "Cluster"}:
		if err := r.generatePassword(ctx, mg, "masterPasswordSecretRef"); err != nil {
			return err
		}
	case schema.GroupKind{Group: "rds.aws.m.upbound.io", Kind: "Instance"}:
		if err := r.generatePassword(ctx, mg, "passwordSecretRef"); err != nil {
			return err
		}
	}
	if profileFor(r.GVK.GroupKind()).nameInitializer && meta.GetExternalName(mg) == "" {
		meta.SetExternalName(mg, mg.GetName())
		return errors.Wrap(r.Client.Update(ctx, mg.Unstructured), errUpdateManaged)
	}
	return nil
}

// hasTags tells whether the kind's schema has spec.forProvider.tags (AddExternalTagsField keys on
// the Terraform schema having a tags map). Without a schema, only objects that set tags are tagged.
func (r *Reconciler) hasTags() bool {
	if r.AtProviderSchema == nil {
		return false
	}
	_, ok := r.AtProviderSchema.Properties["tags"]
	return ok
}

// generatePassword mirrors provider-upjet-aws's PasswordGenerator: with autoGeneratePassword true
// and no password under the referenced key, write a generated one into the Secret (owned by the
// managed resource when this creates the Secret) by a patching apply.
func (r *Reconciler) generatePassword(ctx context.Context, mg *Managed, refField string) error {
	name, _, _ := unstructured.NestedString(mg.Object, "spec", "forProvider", refField, "name")
	key, _, _ := unstructured.NestedString(mg.Object, "spec", "forProvider", refField, "key")
	if name == "" {
		return nil
	}
	s := &corev1.Secret{}
	err := r.Client.Get(ctx, types.NamespacedName{Namespace: mg.GetNamespace(), Name: name}, s)
	if xpresource.IgnoreNotFound(err) != nil {
		return errors.Wrap(err, "cannot get password secret")
	}
	if err == nil && len(s.Data[key]) != 0 {
		return nil
	}
	if gen, _, _ := unstructured.NestedBool(mg.Object, "spec", "forProvider", "autoGeneratePassword"); !gen {
		return nil
	}
	pw, err := password.Generate()
	if err != nil {
		return errors.Wrap(err, "cannot generate password")
	}
	s.SetName(name)
	s.SetNamespace(mg.GetNamespace())
	if !meta.WasCreated(s) {
		meta.AddOwnerReference(s, meta.AsOwner(meta.TypedReferenceTo(mg, r.GVK)))
	}
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}
	s.Data[key] = []byte(pw)
	return errors.Wrap(xpresource.NewAPIPatchingApplicator(r.Client).Apply(ctx, s), "cannot apply password secret")
}

// connect fails as upjet's connector does when the referenced provider config is missing.
func (r *Reconciler) connect(ctx context.Context, mg *Managed) error {
	kind, name := mg.ProviderConfigReference()
	if kind == "" {
		kind = "ClusterProviderConfig"
	}
	pc := &unstructured.Unstructured{}
	pc.SetGroupVersionKind(schema.GroupVersionKind{Group: "aws.m.upbound.io", Version: "v1beta1", Kind: kind})
	key := types.NamespacedName{Name: name}
	if kind == "ProviderConfig" {
		key.Namespace = mg.GetNamespace()
	}
	if name == "" {
		return errors.New("SIMULATED AWS: managed resource has no providerConfigRef")
	}
	if err := r.Client.Get(ctx, key, pc); err != nil {
		return errors.Wrap(err, "cannot get referenced ProviderConfig")
	}
	return nil
}

type observation struct {
	exists, upToDate, lateInitialized bool
}

// observe stands in for upjet's async external client Observe (external_async_tfpluginsdk.go:110-138
// and external_tfpluginsdk.go:490-620): an operation in flight reports exists and up to date; else
// the external resource's attributes become status.atProvider, Ready becomes Available, and a
// changed external name is reported as late initialization.
func (r *Reconciler) observe(mg *Managed, e *external, policy managed.ManagementPoliciesChecker) observation {
	now := r.now()
	if e.op != "" && now.Before(e.opDone) {
		return observation{exists: true, upToDate: true}
	}
	if !e.exists && !e.gone && e.externalName == "" {
		// Nothing known in this process: an external-name set by an earlier creation (or, without an
		// inventory, pre-seeded on an Observe-only resource) is taken to name an existing resource;
		// with an inventory, an external name it holds names a resource created before Crossplane.
		ext := meta.GetExternalName(mg)
		if attrs, ok := r.Inventory.Lookup(r.GVK.GroupKind(), ext); ok {
			e.exists = true
			e.externalName = ext
			e.aws, _ = ToProvider(jsonCopy(attrs), r.AtProviderSchema).(map[string]any)
			followConfiguredFormat(r.GVK.GroupKind(), e.aws, mg)
		} else if ext != "" && ((r.Inventory == nil && policy.ShouldOnlyObserve()) || !meta.GetExternalCreateSucceeded(mg).IsZero()) {
			e.exists = true
			e.externalName = ext
			e.specHash = specHash(mg)
		}
	}
	if !e.exists {
		return observation{}
	}
	if e.aws != nil {
		// upjet's Observe refreshes the Terraform state and writes it to status.atProvider
		// (external_tfpluginsdk.go:573-584), whatever the spec says.
		mg.ensureStatus()
		at := jsonCopy(e.aws)
		if tags, ok := at["tags"]; ok {
			at["tagsAll"] = tags
		}
		_ = unstructured.SetNestedField(mg.Object, jsonClean(pruneToSchema(at, r.AtProviderSchema).(map[string]any)), "status", "atProvider")
		mg.SetConditions(xpv1.Available())
		upToDate := policy.ShouldOnlyObserve() || len(r.drift(mg, e)) == 0
		return observation{exists: true, upToDate: upToDate}
	}
	s := r.seed(mg, e)
	ext, computed := profileFor(r.GVK.GroupKind()).observe(s)
	e.externalName = ext
	e.computed = computed
	r.setAtProvider(mg, computed)
	mg.SetConditions(xpv1.Available())
	old := meta.GetExternalName(mg)
	meta.SetExternalName(mg, ext)
	// Observe-only resources are never diffed (external_tfpluginsdk.go:527-535).
	upToDate := policy.ShouldOnlyObserve() || e.specHash == specHash(mg)
	return observation{exists: true, upToDate: upToDate, lateInitialized: old != ext}
}

func (r *Reconciler) seed(mg *Managed, e *external) seed {
	params := map[string]any{}
	if ip, ok, _ := unstructured.NestedMap(mg.Object, "spec", "initProvider"); ok {
		for k, v := range ip {
			params[k] = v
		}
	}
	if fp, ok, _ := unstructured.NestedMap(mg.Object, "spec", "forProvider"); ok {
		for k, v := range fp {
			params[k] = v
		}
	}
	region, _ := params["region"].(string)
	return seed{Kind: r.GVK, Namespace: mg.GetNamespace(), Name: mg.GetName(), Region: region, Account: r.Account,
		ExternalName: firstNonEmpty(e.externalName, meta.GetExternalName(mg)), Params: params, Revision: e.revision}
}

// setAtProvider writes what Terraform's state holds: the parameters (initProvider under
// forProvider) echoed, tags also as tagsAll, plus the computed attributes.
func (r *Reconciler) setAtProvider(mg *Managed, computed map[string]any) {
	s := r.seed(mg, &external{})
	at := map[string]any{}
	for k, v := range s.Params {
		if isReferenceField(k) {
			continue
		}
		at[k] = v
	}
	if tags, ok := at["tags"]; ok {
		at["tagsAll"] = tags
	}
	for k, v := range computed {
		at[k] = v
	}
	at = pruneToSchema(at, r.AtProviderSchema).(map[string]any)
	mg.ensureStatus()
	_ = unstructured.SetNestedField(mg.Object, jsonClean(at), "status", "atProvider")
}

func isReferenceField(k string) bool {
	return strings.HasSuffix(k, "Ref") || strings.HasSuffix(k, "Refs") || strings.HasSuffix(k, "Selector") || strings.HasSuffix(k, "SecretRef")
}

func pruneToSchema(v any, s *apiextensionsv1.JSONSchemaProps) any {
	if s == nil {
		if m, ok := v.(map[string]any); ok {
			out := map[string]any{}
			for k, x := range m {
				if !isReferenceField(k) {
					out[k] = pruneToSchema(x, nil)
				}
			}
			return out
		}
		return v
	}
	switch t := v.(type) {
	case map[string]any:
		if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
			return t
		}
		out := map[string]any{}
		for k, x := range t {
			if p, ok := s.Properties[k]; ok {
				out[k] = pruneToSchema(x, &p)
			} else if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
				out[k] = pruneToSchema(x, s.AdditionalProperties.Schema)
			}
		}
		return out
	case []any:
		if s.Items == nil || s.Items.Schema == nil {
			return t
		}
		out := make([]any, 0, len(t))
		for _, x := range t {
			out = append(out, pruneToSchema(x, s.Items.Schema))
		}
		return out
	}
	return v
}

// jsonClean round-trips through JSON so that ints and nested values are what unstructured expects.
func jsonClean(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	out := map[string]any{}
	_ = json.Unmarshal(b, &out)
	return fixNumbers(out).(map[string]any)
}

func fixNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = fixNumbers(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = fixNumbers(x)
		}
		return t
	case float64:
		if t == float64(int64(t)) {
			return int64(t)
		}
	}
	return v
}

// specHash is what the simulated AWS compares to decide whether an update is due: the desired
// state (spec.forProvider) as it was when last created or updated.
func specHash(mg *Managed) string {
	fp, _, _ := unstructured.NestedFieldNoCopy(mg.Object, "spec", "forProvider")
	b, _ := json.Marshal(fp)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (r *Reconciler) startCreate(mg *Managed, e *external) {
	now := r.now()
	e.op, e.opStart, e.opDone = "create", now, now.Add(r.Delay)
	e.specHash = specHash(mg)
}

func (r *Reconciler) startUpdate(mg *Managed, e *external) {
	now := r.now()
	e.op, e.opStart, e.opDone = "update", now, now.Add(r.Delay)
	e.specHash = specHash(mg)
	if e.aws != nil {
		e.pending = r.drift(mg, e)
		fp, _, _ := unstructured.NestedMap(mg.Object, "spec", "forProvider")
		e.pendingSpec = jsonCopy(fp)
	}
}

// drift lists the fields of spec.forProvider that differ from what AWS holds (inventory resources).
func (r *Reconciler) drift(mg *Managed, e *external) []string {
	fp, _, _ := unstructured.NestedMap(mg.Object, "spec", "forProvider")
	return Drift(fp, e.aws, r.AtProviderSchema, "spec.forProvider")
}

func jsonCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	out := map[string]any{}
	_ = json.Unmarshal(b, &out)
	return out
}

// startDelete is upjet's async Delete (external_async_tfpluginsdk.go:232-276): a delete already in
// flight is fine, another operation in flight is an error.
func (r *Reconciler) startDelete(mg *Managed, e *external) error {
	if e.op == "delete" {
		return nil
	}
	if e.op != "" {
		return fmt.Errorf("%s operation that started at %s is still running", e.op, e.opStart.String())
	}
	now := r.now()
	e.op, e.opStart, e.opDone = "delete", now, now.Add(r.Delay)
	return nil
}

// finish completes the operation in flight and records what was done "in AWS".
func (r *Reconciler) finish(mg *Managed, e *external) {
	op := e.op
	e.op = ""
	switch op {
	case "create":
		e.exists = true
		if r.isTaskDefinition() {
			e.revision = r.registerRevision(mg)
		}
		s := r.seed(mg, e)
		e.externalName, _ = profileFor(r.GVK.GroupKind()).observe(s)
		r.Recorder.Record(Entry{Action: ActionCreate, Kind: r.GVK, Namespace: mg.GetNamespace(), Name: mg.GetName(), ExternalName: e.externalName, ARN: r.taskDefinitionARN(mg, e)})
	case "update":
		if r.isTaskDefinition() {
			// Every argument of aws_ecs_task_definition but tags and skip_destroy/track_latest is ForceNew
			// (terraform-provider-aws internal/service/ecs/task_definition.go:96-99 container_definitions, and
			// the other ForceNew attributes of its schema): Terraform replaces the resource, registering the
			// next revision of the family (resourceTaskDefinitionCreate, :549, RegisterTaskDefinition :626)
			// and deregistering the old one unless skip_destroy (resourceTaskDefinitionDelete :691-703).
			old := r.taskDefinitionARN(mg, e)
			if !skipDestroy(mg) {
				r.Recorder.Record(Entry{Action: ActionDelete, Kind: r.GVK, Namespace: mg.GetNamespace(), Name: mg.GetName(), ExternalName: e.externalName, ARN: old})
			}
			e.revision = r.registerRevision(mg)
		}
		fields := e.pending
		if e.aws != nil {
			Apply(e.aws, e.pendingSpec, r.AtProviderSchema)
			e.pending, e.pendingSpec = nil, nil
		}
		r.Recorder.Record(Entry{Action: ActionUpdate, Kind: r.GVK, Namespace: mg.GetNamespace(), Name: mg.GetName(), ExternalName: e.externalName, ARN: r.taskDefinitionARN(mg, e), Fields: fields})
	case "delete":
		e.exists = false
		action := ActionDelete
		if r.isTaskDefinition() && skipDestroy(mg) {
			// resourceTaskDefinitionDelete keeps the revision registered with skip_destroy (task_definition.go:693-696)
			action = ActionOrphan
		}
		r.Recorder.Record(Entry{Action: action, Kind: r.GVK, Namespace: mg.GetNamespace(), Name: mg.GetName(), ExternalName: firstNonEmpty(e.externalName, meta.GetExternalName(mg)), ARN: r.taskDefinitionARN(mg, e)})
		if e.aws != nil {
			r.Inventory.Remove(r.GVK.GroupKind(), e.externalName)
			e.aws = nil
		}
		e.externalName = ""
		// A deleted resource must not be re-adopted from its annotations.
		e.computed = nil
		e.specHash = "deleted"
		e.gone = true
	}
}

var taskDefinitionKind = schema.GroupKind{Group: "ecs.aws.m.upbound.io", Kind: "TaskDefinition"}

func (r *Reconciler) isTaskDefinition() bool { return r.GVK.GroupKind() == taskDefinitionKind }

// registerRevision is ECS RegisterTaskDefinition in the SIMULATED AWS: revisions count up per family
// (account, region, family), whichever managed resource registers them.
func (r *Reconciler) registerRevision(mg *Managed) int64 {
	s := r.seed(mg, &external{})
	key := s.Account + "/" + s.Region + "/" + s.param("family")
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.families == nil {
		r.families = map[string]int64{}
	}
	if _, ok := r.families[key]; !ok {
		// ECS numbers on from the family's revisions the account already holds
		r.families[key] = r.Inventory.LatestRevision(s.Region, s.param("family"))
	}
	r.families[key]++
	return r.families[key]
}

// taskDefinitionARN is the revision ARN of a task definition ("" for other kinds).
func (r *Reconciler) taskDefinitionARN(mg *Managed, e *external) string {
	if !r.isTaskDefinition() || e.revision == 0 {
		return ""
	}
	_, c := profileFor(r.GVK.GroupKind()).observe(r.seed(mg, e))
	arn, _ := c["arn"].(string)
	return arn
}

func skipDestroy(mg *Managed) bool {
	v, _, _ := unstructured.NestedBool(mg.Object, "spec", "forProvider", "skipDestroy")
	return v
}

func metav1Now(t time.Time) metav1.Time { return metav1.NewTime(t) }

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
