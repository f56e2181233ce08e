import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrdCatalog } from '../lib/validate/catalog';
import { BUILTIN_KINDS } from '../lib/validate/builtin';
import { MANAGED_RESOURCE_READY_QUERY, WRAPPED_FAILURE_PREFIX } from '../lib/wiring/readiness';
import { allObjects, defaultSynth, ofKind, PROJECT_DIR } from './helpers';

/** JSON as provider-kubernetes hands it to cel-go (object.go:655-676): maps, lists, numbers as int where whole. */
function toCel(v: any): any {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v;
}

const query = plan(celEnv(), parse(MANAGED_RESOURCE_READY_QUERY));

/**
 * The Object's Ready condition for an observed wrapped object, as updateConditionFromObserved sets it
 * (object.go:534-566): true → Available, false → Unavailable, evaluation error → Unavailable with the message.
 */
function objectReady(observed: any): { status: 'True' | 'False'; message?: string } {
  let r: unknown;
  try {
    r = query({ object: toCel(observed) });
  } catch (e) {
    r = e;
  }
  if (isCelError(r) || r instanceof Error) return { status: 'False', message: (r as Error).message };
  if (typeof r !== 'boolean') throw new Error(`readiness query returned ${typeof r}, the controller requires bool`);
  return r ? { status: 'True' } : { status: 'False' };
}

const cond = (type: string, status: string, reason = '', message?: string) => ({
  type,
  status,
  reason,
  ...(message ? { message } : {}),
});

/** Whether a wrapped kind reports status conditions, from its pinned CRD or its Kubernetes model. */
function hasConditions(catalog: CrdCatalog, apiVersion: string, kind: string): boolean {
  const crd = catalog.get(apiVersion, kind);
  if (crd) return !!crd.schema.properties?.status?.properties?.conditions;
  const builtin = BUILTIN_KINDS[`${apiVersion}/${kind}`];
  if (!builtin) throw new Error(`unknown wrapped kind ${apiVersion}/${kind}`);
  const models = path.join(path.dirname(require.resolve('@kubernetes/client-node/package.json')), 'dist/gen/models');
  return /^\s+'status'\??: /m.test(fs.readFileSync(path.join(models, `${builtin.model}.d.ts`), 'utf8'));
}

describe('LateBound readiness', () => {
  const catalog = CrdCatalog.forProject(PROJECT_DIR);
  const objects = ofKind(allObjects(defaultSynth().files), 'Object');

  test('GIVEN every emitted Object THEN its readiness policy matches the wrapped kind’s status model', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      const m = o.spec.forProvider.manifest;
      const expected = hasConditions(catalog, m.apiVersion, m.kind)
        ? { policy: 'DeriveFromCelQuery', celQuery: MANAGED_RESOURCE_READY_QUERY }
        : { policy: 'SuccessfulCreate' };
      expect([o.metadata.namespace, o.metadata.name, m.kind, o.spec.readiness]).toEqual([
        o.metadata.namespace,
        o.metadata.name,
        m.kind,
        expected,
      ]);
    }
    // both models occur, so both branches are exercised
    expect(new Set(objects.map((o) => o.spec.readiness.policy))).toEqual(
      new Set(['DeriveFromCelQuery', 'SuccessfulCreate']),
    );
  });

  test('GIVEN the outputs ConfigMap, which has no conditions, THEN it does not wait for a Ready condition', () => {
    const cm = objects.filter((o) => o.spec.forProvider.manifest.kind === 'ConfigMap');
    expect(cm.length).toBeGreaterThan(0);
    for (const o of cm) expect(o.spec.readiness.policy).not.toBe('DeriveFromObject');
  });
});

describe('managed-resource readiness query', () => {
  const mr = (...conditions: any[]) => ({
    apiVersion: 'cloudfront.aws.m.upbound.io/v1beta1',
    kind: 'Distribution',
    metadata: { name: 'cdn-x', namespace: 'catalog-api-x', generation: 3 },
    spec: { forProvider: { enabled: true } },
    status: { atProvider: { id: 'E2QWRUHAPOMQZL' }, conditions },
  });

  test('GIVEN no status yet THEN not ready, no error', () => {
    expect(objectReady({ ...mr(), status: undefined })).toEqual({ status: 'False' });
    expect(objectReady({ ...mr(), status: {} })).toEqual({ status: 'False' });
  });

  test('GIVEN Ready=True and Synced=True THEN ready', () => {
    expect(objectReady(mr(cond('Ready', 'True', 'Available'), cond('Synced', 'True', 'ReconcileSuccess')))).toEqual({
      status: 'True',
    });
  });

  test('GIVEN AWS still creating (Ready=False, Synced=True) THEN not ready, no error', () => {
    expect(objectReady(mr(cond('Ready', 'False', 'Creating'), cond('Synced', 'True', 'ReconcileSuccess')))).toEqual({
      status: 'False',
    });
  });

  test('GIVEN the provider cannot apply it (Synced=False) THEN an error carrying its reason and message', () => {
    for (const ready of ['True', 'False']) {
      const r = objectReady(
        mr(
          cond('Ready', ready, 'Creating'),
          cond('Synced', 'False', 'ReconcileError', 'InvalidViewerCertificate: the certificate is not valid'),
        ),
      );
      expect(r.status).toBe('False');
      expect(r.message).toContain(
        `${WRAPPED_FAILURE_PREFIX}Synced=False: ReconcileError: InvalidViewerCertificate: the certificate is not valid`,
      );
    }
  });

  test('GIVEN an asynchronous create failed (LastAsyncOperation=False) THEN an error', () => {
    const r = objectReady(
      mr(
        cond('Ready', 'False', 'Creating'),
        cond('Synced', 'True', 'ReconcileSuccess'),
        cond('LastAsyncOperation', 'False', 'AsyncCreateFailure', 'ClientException: bad task definition'),
      ),
    );
    expect(r.message).toContain(`${WRAPPED_FAILURE_PREFIX}LastAsyncOperation=False: AsyncCreateFailure:`);
  });

  test('GIVEN a failing condition without a message THEN still an error', () => {
    expect(objectReady(mr(cond('Synced', 'False', 'ReconcileError'))).message).toContain(
      `${WRAPPED_FAILURE_PREFIX}Synced=False: ReconcileError: `,
    );
  });
});
