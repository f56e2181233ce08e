import { ApiError, ARGOCD_MANAGER, Cluster, writeReport, type KubeObject } from './harness';
import { renderPreview } from './harness/manifests';
import { waitFor } from './harness/process';

// A pull request's preview, rendered by `npm run preview:render` as the preview workflow renders it, against the real
// API server with the manifests' admission policy for preview credentials: what a pull request renders cannot make
// its managed resources act through another ProviderConfig than its own namespace's.

const POLICY = 'catalog-api-preview-credentials';
let cluster: Cluster;
let preview: KubeObject[];
const report: Record<string, unknown> = {};

const one = (objects: readonly KubeObject[], kind: string): KubeObject => {
  const o = objects.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind}`);
  return structuredClone(o);
};

/** The API server's answer to a server-side apply: `accepted` or the error message. */
async function apply(o: KubeObject): Promise<string> {
  try {
    await cluster.admin.apply(o, { fieldManager: ARGOCD_MANAGER });
    return 'accepted';
  } catch (e) {
    if (e instanceof ApiError) return e.message;
    throw e;
  }
}

beforeAll(async () => {
  cluster = await Cluster.start({ providerKubernetes: false, controllerManager: false });
  preview = renderPreview(7);
  const policy = cluster.dist.argocd.filter((o) => o.metadata.name === POLICY);
  expect(policy.map((o) => o.kind).sort()).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
  const prodNamespace = [...cluster.dist.environments.values()]
    .flat()
    .find((o) => o.kind === 'Namespace' && o.metadata.name === 'catalog-api-prod');
  for (const o of [...policy, ...(prodNamespace ? [prodNamespace] : [])]) {
    expect(await apply(o)).toBe('accepted');
  }
  for (const o of preview.filter((x) => x.kind === 'Namespace' || x.kind === 'ProviderConfig')) {
    expect(await apply(o)).toBe('accepted');
  }
}, 600_000);

afterAll(async () => {
  writeReport('previews', report);
  await cluster?.stop('previews');
});

describe('preview credentials policy', () => {
  test('GIVEN a managed resource naming a ClusterProviderConfig WHEN applied in a preview namespace THEN the API server denies it', async () => {
    const vpc = one(preview, 'VPC');
    vpc.metadata.name = 'vpc-cluster-config';
    vpc.spec.providerConfigRef = { kind: 'ClusterProviderConfig', name: 'default' };
    // the policy takes effect once the API server has loaded it and its binding
    const message = await waitFor(
      'the preview credentials policy to deny',
      async () => {
        const m = await apply(vpc);
        return m === 'accepted' ? undefined : m;
      },
      60_000,
    );
    report.denied = message;
    expect(message).toContain(`ValidatingAdmissionPolicy '${POLICY}'`);
    expect(message).toContain('a preview’s managed resources use only the ProviderConfig of their own namespace');
  });

  test('GIVEN a managed resource without providerConfigRef WHEN applied THEN the CRD default (a ClusterProviderConfig) is denied too', async () => {
    const vpc = one(preview, 'VPC');
    vpc.metadata.name = 'vpc-no-config';
    delete vpc.spec.providerConfigRef;
    expect(await apply(vpc)).toContain('use only the ProviderConfig of their own namespace');
  });

  test('GIVEN the rendered preview’s own managed resources WHEN applied THEN they are accepted; production’s namespace is not matched', async () => {
    const vpc = one(preview, 'VPC');
    expect(await apply(vpc)).toBe('accepted');
    const prod = one(preview, 'VPC');
    prod.metadata.name = 'vpc-outside-previews';
    prod.metadata.namespace = 'catalog-api-prod';
    prod.spec.providerConfigRef = { kind: 'ClusterProviderConfig', name: 'default' };
    expect(await apply(prod)).toBe('accepted');
  });
});
