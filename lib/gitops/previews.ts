import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';
import { LABELS, PROJECT } from '../common/context';
import { apiGroup as group } from '../common/field-path';
import { PlatformConfig } from '../config/types';
import { PreviewsConfig, previewSuffix, PROTOTYPE_NUMBER } from '../config/previews';
import { EmittedKind } from '../platform/platform';
import { projectKinds } from './argocd';
import {
  applicationMetadata,
  applicationSpec,
  ARGOCD_NAMESPACE,
  CASCADE_FINALIZER,
  EnvironmentApp,
  IN_CLUSTER,
  mergeIgnores,
  SYNC_WAVE,
} from './argocd';

/** The ApplicationSet generating one Application per open, labelled pull request. */
export const PULL_REQUEST_PREVIEWS = `${PROJECT}-pull-requests`;
/** The AppProject every pull-request preview belongs to: its own namespace and nothing else. */
export const PREVIEW_PROJECT = `${PROJECT}-previews`;
/** Label on each generated Application: the pull request's number (`kubectl get app -l catalog-api/pull-request=12`). */
export const PULL_REQUEST_LABEL = `${PROJECT}/pull-request`;
/**
 * Namespaces of pull-request previews: `catalog-api-pr<digit>…`. A glob both Argo CD matchers read the same way
 * (gobwas/glob for destinations, path/filepath.Match for named cluster resources); `catalog-api-prod` does not match.
 */
export const PREVIEW_NAMESPACES = `${PROJECT}-pr[0-9]*`;

/** The admission policy that keeps a preview's AWS access to its own ProviderConfig (and its role, when set). */
export const PREVIEW_CREDENTIALS_POLICY = `${PROJECT}-preview-credentials`;
/** CEL: the request is in a pull-request preview's namespace. */
export const PREVIEW_NAMESPACE_CONDITION = `request.namespace.matches('^${PROJECT}-pr[0-9]+$')`;

/** Go-template expressions over the pullRequest generator's parameters (applicationset/generators/pull_request.go:102-118). */
const NUMBER = '{{.number}}';

/** Where a preview's manifests are on its rendered branch: the same layout as `dist/`. */
export const previewPath = (n: number | string) => `environments/${previewSuffix(n)}`;

export interface PullRequestPreviewsProps {
  readonly platform: PlatformConfig;
  readonly previews: PreviewsConfig;
  /** The prototype preview (pull request {@link PROTOTYPE_NUMBER}), as the GitOps construct sees environments. */
  readonly prototype: EnvironmentApp;
  /** Every kind the prototype preview emits (what Argo CD applies in a preview). */
  readonly kinds: readonly EmittedKind[];
}

/**
 * Pull-request previews in Argo CD: an AppProject confined to preview namespaces, and an ApplicationSet whose
 * pullRequest generator lists the repository's open pull requests carrying the preview label and generates one
 * Application each, from the branch the pull-request workflow renders (`<branchPrefix><n>`).
 *
 * Semantics at Argo CD v3.5.1, checked in its source:
 * - GitHub lists open pull requests only (go-github's default state) and keeps those carrying every label of
 *   `labels` (applicationset/services/pull_request/github.go:57-94, containLabels 96-114). The filter can only
 *   require labels, so previews are opt-in: the label on → a preview; the label off → the Application is deleted.
 * - The controller deletes each Application no longer generated (applicationset/controllers/
 *   applicationset_controller.go:351-353, deleteInCluster 809-880); a generator error (GitHub unreachable, rate
 *   limit) stops the reconcile before any create or delete (199-213), so an outage never tears previews down.
 * - With `preserveResourcesOnDeletion: false` and the template's own finalizer, every generated Application carries
 *   `resources-finalizer.argocd.argoproj.io` (applicationset/utils/utils.go:294-302 adds it only when the template
 *   has none), so deleting it deletes the preview's objects wave by wave, its namespace last (ADR 0004).
 * - `requeueAfterSeconds` sets how often the pull requests are listed (pull_request.go:40-48; default 30 minutes).
 *
 * The project permits only preview namespaces and, cluster-wide, only Namespaces named like them
 * (AppProject.IsGroupKindNamePermitted and IsResourcePermitted, pkg/apis/application/v1alpha1/
 * app_project_types.go:399-435): whatever a pull request renders, Argo CD applies nothing of it to production's
 * namespace or the platform, and its finalizer deletes nothing there.
 */
export class PullRequestPreviews extends Construct {
  readonly project: argo.AppProject;
  readonly applicationSet: argo.ApplicationSet;
  readonly credentialsPolicy: ApiObject;
  readonly credentialsBinding: ApiObject;

  constructor(scope: Construct, id: string, props: PullRequestPreviewsProps) {
    super(scope, id);
    const { previews, platform, prototype } = props;
    const labels = { [LABELS.partOf]: PROJECT, [LABELS.component]: 'gitops' };
    const unique = (namespaced: boolean) => projectKinds(props.kinds, namespaced);
    const clusterKinds = unique(false);
    const unexpected = clusterKinds.filter((k) => !(k.group === '' && k.kind === 'Namespace'));
    if (unexpected.length > 0) {
      throw new Error(
        `a preview emits cluster-scoped ${unexpected.map((k) => `${k.group}/${k.kind}`).join(', ')}; the preview project permits only its Namespace`,
      );
    }
    const prototypeSuffix = previewSuffix(PROTOTYPE_NUMBER);
    // names of objects the previews' Objects create, with the number as a pattern (name globs, appcontroller.go:557)
    const created = new Map(
      (prototype.created ?? []).map((c) => {
        // everything after the number may depend on it (a task definition's content hash), so it is left open
        const at = c.name.indexOf(prototypeSuffix);
        const name = at < 0 ? c.name : `${c.name.slice(0, at)}pr[0-9]*`;
        return [`${c.group}/${c.kind}/${name}`, { group: c.group, kind: c.kind, name }];
      }),
    );

    this.project = new argo.AppProject(this, 'Project', {
      metadata: { name: PREVIEW_PROJECT, namespace: ARGOCD_NAMESPACE, labels, annotations: { [SYNC_WAVE]: '-1' } },
      spec: {
        description: 'Product Catalog API: pull-request previews, confined to their own namespaces',
        sourceRepos: [platform.repoURL],
        destinations: [{ server: IN_CLUSTER, namespace: PREVIEW_NAMESPACES }],
        clusterResourceWhitelist: [{ group: '', kind: 'Namespace', name: PREVIEW_NAMESPACES }],
        namespaceResourceWhitelist: unique(true),
        orphanedResources: {
          warn: true,
          ignore: [...created.values()].sort((a, b) =>
            `${a.group}/${a.kind}/${a.name}`.localeCompare(`${b.group}/${b.kind}/${b.name}`),
          ),
        },
      },
    });

    // whatever a pull request renders, its managed resources use only their own namespace's ProviderConfig (a
    // namespaced managed resource defaults to ClusterProviderConfig `default`, pinned CRDs' providerConfigRef
    // default), and that ProviderConfig assumes only the previews' role when one is set (previews.environment
    // .deployRoleArn): Argo CD confines where objects go, this confines which AWS identity they act as
    const awsGroups = [
      ...new Set(
        props.kinds
          .filter((k) => k.namespaced && group(k.apiVersion).endsWith('.aws.m.upbound.io'))
          .map((k) => group(k.apiVersion)),
      ),
    ].sort();
    const role = previews.prototype.deployRoleArn;
    this.credentialsPolicy = new ApiObject(this, 'CredentialsPolicy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: PREVIEW_CREDENTIALS_POLICY, labels, annotations: { [SYNC_WAVE]: '-1' } },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            ...awsGroups.map((g) => ({
              apiGroups: [g],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['*'],
            })),
            {
              apiGroups: ['aws.m.upbound.io'],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['providerconfigs'],
            },
          ],
        },
        matchConditions: [{ name: 'preview-namespace', expression: PREVIEW_NAMESPACE_CONDITION }],
        validations: [
          {
            expression:
              "object.kind == 'ProviderConfig' || (has(object.spec.providerConfigRef) && object.spec.providerConfigRef.kind == 'ProviderConfig')",
            message: 'a preview’s managed resources use only the ProviderConfig of their own namespace',
            reason: 'Forbidden',
          },
          ...(role
            ? [
                {
                  expression:
                    "object.kind != 'ProviderConfig' || (object.spec.credentials.source == 'IRSA' && has(object.spec.assumeRoleChain) && " +
                    `size(object.spec.assumeRoleChain) == 1 && object.spec.assumeRoleChain[0].roleARN == '${role}')`,
                  message: `a preview’s ProviderConfig assumes only the previews’ role ${role}`,
                  reason: 'Forbidden',
                },
              ]
            : []),
        ],
      },
    });
    this.credentialsBinding = new ApiObject(this, 'CredentialsBinding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: PREVIEW_CREDENTIALS_POLICY, labels, annotations: { [SYNC_WAVE]: '-1' } },
      spec: { policyName: PREVIEW_CREDENTIALS_POLICY, validationActions: ['Deny'] },
    });

    const spec = applicationSpec({
      config: { ...platform, targetRevision: `${previews.branchPrefix}${NUMBER}` },
      path: previewPath(NUMBER),
      namespace: `${PROJECT}-${previewSuffix(NUMBER)}`,
      ignoreDifferences: mergeIgnores(prototype.ignoreDifferences ?? []),
    });
    this.applicationSet = new argo.ApplicationSet(this, 'ApplicationSet', {
      metadata: {
        name: PULL_REQUEST_PREVIEWS,
        namespace: ARGOCD_NAMESPACE,
        labels,
        annotations: { [SYNC_WAVE]: '0' },
      },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ pullRequest: { ...provider(previews), requeueAfterSeconds: previews.requeueAfterSeconds } }],
        syncPolicy: { preserveResourcesOnDeletion: false },
        template: {
          metadata: {
            ...applicationMetadata(`${PROJECT}-${previewSuffix(NUMBER)}`, {}),
            labels: { ...labels, [PULL_REQUEST_LABEL]: NUMBER },
            finalizers: [CASCADE_FINALIZER],
          },
          spec: { ...spec, project: PREVIEW_PROJECT } as any,
        },
      },
    });
  }
}

/** The pullRequest generator's service block for the configured provider (ApplicationSet CRD v3.5.1 fields). */
function provider(p: PreviewsConfig): argo.ApplicationSetSpecGeneratorsPullRequest {
  const common = {
    labels: [p.label],
    ...(p.api ? { api: p.api } : {}),
    ...(p.tokenRef ? { tokenRef: { secretName: p.tokenRef.secretName, key: p.tokenRef.key } } : {}),
  };
  switch (p.provider) {
    case 'github':
      return { github: { owner: p.owner, repo: p.repo, ...common } };
    case 'gitea':
      return { gitea: { owner: p.owner, repo: p.repo, api: p.api!, ...common } };
    case 'gitlab':
      // GitLab takes the project's path as its id; without a state it lists closed and merged requests too
      // (services/pull_request/gitlab.go:77-78), GitHub and Gitea list open ones only (gitea.go:53-54)
      return { gitlab: { project: `${p.owner}/${p.repo}`, pullRequestState: 'opened', ...common } };
  }
}
