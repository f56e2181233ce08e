// Package sim is a SIMULATED AWS provider. It stands in for provider-upjet-aws v2.6.0 (module
// github.com/upbound/provider-aws/v2) running crossplane-runtime v2.2.0's managed reconciler, the
// version that provider pins in its go.mod. It exists because a test control plane has no AWS.
//
// # What is real
//
// Everything the provider does at the Kubernetes API boundary, in the same order and with the
// same client calls, taken from crossplane-runtime v2.2.0 pkg/reconciler/managed/reconciler.go
// (Reconcile, lines 886-1512; line numbers are cited in Reconciler.Reconcile):
//
//   - one controller per served kind of every established namespaced CRD in *.aws.m.upbound.io
//     with category "managed", at its storage version, filtered by xpresource.DesiredStateChanged,
//     backing off 1-60 s (provider-upjet-aws internal/controller/namespaced/ec2/vpc/zz_controller.go:47,110);
//   - managementPolicies through crossplane-runtime's own ManagementPoliciesResolver (policies.go),
//     enabled as provider-upjet-aws v2 enables it by default: paused with [] or the pause
//     annotation, Observe-only never creates, no Delete orphans (finalizer removed, nothing deleted),
//     no LateInitialize never writes spec or annotations after creation;
//   - the finalizer finalizer.managedresource.crossplane.io (reconciler.go:46), added by Update
//     before creating (1274-1287), removed by Update after the external resource is gone or, without
//     Delete, at once (972-1021); external deletion waits while other finalizers remain (1168-1173);
//   - initializers in provider-upjet-aws's order: the Tagger adds crossplane-kind, crossplane-name
//     and crossplane-providerconfig to spec.forProvider.tags by Update (upjet pkg/config/resource.go:344-365;
//     not for Observe-only); the RDS password generator creates the master password Secret when
//     autoGeneratePassword is set (provider config/namespaced/common/common.go:84-139), using
//     crossplane-runtime's password.Generate and APIPatchingApplicator; NameAsExternalName sets
//     crossplane.io/external-name to metadata.name by Update for kinds whose identifier is not
//     assigned by AWS (managed/api.go:69-77; upjet pipeline/templates/controller.go.tmpl:45);
//   - crossplane.io/external-create-pending set by Update before creating, then
//     external-create-succeeded by the retrying critical-annotation Update (1297-1384, api.go:283-301);
//   - reference resolution with crossplane-runtime's reference.APINamespacedResolver itself
//     (pkg/reference/namespaced_reference.go), driven by a table of every generated resolver step of
//     provider-upjet-aws v2.6.0 (references.tsv, derived by internal/genreferences from
//     apis/namespaced/**/zz_generated.resolvers.go): *Ref, *Refs and *Selector (matchLabels,
//     matchControllerRef, policy) in spec.forProvider and spec.initProvider, including refs inside
//     lists, with the same value extractor (external name, status.atProvider.id,
//     status.atProvider.arn, or another attribute); the result is written as
//     APISimpleReferenceResolver writes it (managed/api.go:237-263): a server-side apply of the JSON
//     merge diff, field manager managed.crossplane.io/api-simple-reference-resolver, forced; while a
//     reference cannot be resolved the object gets Synced=False, reason ReconcileError, message
//     "cannot resolve references: mg.Spec.ForProvider.<Field>: <cause>" and is retried;
//   - upjet's asynchronous operations (upjet pkg/controller/external_async_tfpluginsdk.go): create,
//     update and delete return at once (Ready=False Creating / Deleting, Synced=True) and finish after
//     a delay, then LastAsyncOperation=True (Success); Observe-only resources are never diffed;
//   - conditions through crossplane-runtime's xpv1 constructors (Available, Creating, Deleting,
//     ReconcileSuccess, ReconcileError, ReconcilePaused) with observedGeneration set; status written
//     by Status().Update as the reconciler does.
//
// # What is simulated
//
//   - AWS itself: an in-memory table per process. A create, update or delete takes Options.Delay
//     (Options.SlowDelay for RDS clusters and instances and CloudFront distributions, which take
//     minutes in AWS). After a restart, a resource whose external-name is set and that carries
//     external-create-succeeded (or is Observe-only) is taken to exist.
//   - Attribute values: status.atProvider echoes spec.initProvider and spec.forProvider (references
//     and secret references removed, tags also as tagsAll) plus computed attributes with
//     deterministic fake values in AWS formats (vpc-0…, subnet-0…, sg-0…, sgr-0…, igw-0…, nat-0…,
//     eipalloc-0…, rtb-0…, ARNs arn:aws:<service>:<region>:<account>:…, ALB dnsName
//     <name>-<digits>.<region>.elb.amazonaws.com and arnSuffix, target group arnSuffix, CloudFront
//     E… id and d….cloudfront.net domain, Aurora writer and reader endpoints, task definition ARN
//     with revision (a changed task definition gets the next revision), the RDS-managed master
//     user secret ARN with manageMasterUserPassword); values the CRD's atProvider schema does not
//     declare are dropped. Kinds without a profile (fakes.go) get metadata.name as external name
//     and id and an arn of the usual shape.
//   - An update is due when spec.forProvider differs from what was last created or updated; upjet
//     asks Terraform for a diff instead.
//   - An account that already holds resources (--inventory, e.g. a Terraform state's resources by
//     type and attributes; inventory.go): a resource named by the external name the provider's
//     config/externalname.go derives for its type exists, status.atProvider is its attributes in
//     the provider's field names, and an update is due where spec.forProvider differs from them
//     (the fields are recorded). Without an inventory, an external name set on an Observe-only
//     resource is taken to name an existing resource.
//
// # What is not done
//
// No AWS API and no Terraform are called; there is no validation of values AWS would reject, no
// late initialization of AWS defaults into spec.forProvider (a changed external name is the only
// late-initialized value, persisted only with the LateInitialize policy, as
// reconciler.go:1413-1428 does), no connection secrets, no Kubernetes events, no drift of the
// external resource behind Crossplane's back, and no webhooks or conversion between API versions.
// The Update calls carry this program's user agent (simulated-aws) as field manager where the real
// provider's carry its binary's name.
package sim
