import { RenderedFile } from '../lib/app';
import { Config } from '../lib/config/types';
import { allApplications, isPermitted, wave } from './argocd-model';
import { allObjects, baseConfigFile, defaultSynth, find, loadFrom, objectsOf, synth } from './helpers';

const FINALIZER = 'resources-finalizer.argocd.argoproj.io';
const argocdObjects = (files: readonly RenderedFile[]) =>
  files.filter((f) => f.file.startsWith('argocd/')).flatMap((f) => f.objects);

const without = (suffix: string): Config => {
  const cfg = baseConfigFile();
  cfg.environments = cfg.environments.filter((e: any) => e.suffix !== suffix);
  return loadFrom(cfg);
};

/** An object in a cluster: its finalizers hold it after a delete until its controller is done. */
interface Live {
  readonly o: any;
  deleting: boolean;
  gone: boolean;
}

/**
 * Argo CD's cascade finalizer for one Application (controller/appcontroller.go:1282-1420), one pass per call:
 * it lists the app's live objects the project still permits (getPermittedAppLiveObjects, 1263-1279), waits while
 * any of them is being deleted (1356-1360), else deletes the permitted objects of the highest sync wave
 * (sort_delete.go:24-40), and removes its finalizer when no permitted object is left (1386-1402).
 * Deleting a Namespace deletes everything in it at once, in no order: that is the event the test must not see
 * before the managed resources are gone.
 */
function runFinalizer(objects: readonly any[], project: any) {
  const live: Live[] = objects.map((o) => ({ o, deleting: false, gone: false }));
  const events: string[] = [];
  const id = (o: any) => `${o.kind}/${o.metadata.name}`;
  for (let pass = 0; pass < 100; pass++) {
    // controllers finish what was deleted in the previous pass (Crossplane deletes in AWS, then drops its finalizer)
    for (const l of live.filter((x) => x.deleting && !x.gone)) {
      l.gone = true;
      events.push(`gone ${id(l.o)}`);
      if (l.o.kind === 'Namespace') {
        for (const inNs of live.filter((x) => !x.gone && x.o.metadata.namespace === l.o.metadata.name)) {
          inNs.gone = true;
          events.push(`gone with namespace ${id(inNs.o)}`);
        }
      }
    }
    const permitted = live.filter((l) => !l.gone && isPermitted(project, l.o));
    if (permitted.length === 0) {
      events.push('finalizer removed');
      return { events, left: live.filter((l) => !l.gone).map((l) => id(l.o)) };
    }
    if (permitted.some((l) => l.deleting)) continue;
    const top = Math.max(...permitted.map((l) => wave(l.o)));
    for (const l of permitted.filter((x) => wave(x.o) === top)) {
      l.deleting = true;
      events.push(`delete ${id(l.o)}`);
    }
  }
  throw new Error('finalizer did not finish in 100 passes');
}

describe('preview teardown', () => {
  const before = defaultSynth().files;
  const after = synth(without('pr5706'));
  const project = find(argocdObjects(after), 'AppProject', 'catalog-api');

  test('GIVEN a preview removed WHEN the same sync updates the project THEN its namespace is still a permitted destination', () => {
    for (const o of objectsOf(before, 'pr5706')) {
      expect([o.kind, o.metadata.name, isPermitted(project, o)]).toEqual([o.kind, o.metadata.name, true]);
    }
  });

  test('GIVEN a preview removed WHEN its Application’s finalizer runs THEN every object goes through Argo CD, the namespace last', () => {
    const app = allApplications(argocdObjects(before)).find((a) => a.metadata.name === 'catalog-api-pr5706')!;
    expect(app.metadata.finalizers).toEqual([FINALIZER]);
    const objects = objectsOf(before, 'pr5706').filter((o) => !o.metadata.annotations?.['argocd.argoproj.io/hook']);
    const { events, left } = runFinalizer(objects, project);
    expect(left).toEqual([]);
    // only what is deleted in the namespace's own wave and holds nothing in AWS (the ProviderConfig, the RoleBinding)
    // may go with the namespace
    const withNamespace = events.filter((e) => e.startsWith('gone with namespace ')).map((e) => e.split(' ')[3]);
    const ns = objects.find((o) => o.kind === 'Namespace')!;
    for (const k of withNamespace) {
      const o = objects.find((x) => `${x.kind}/${x.metadata.name}` === k)!;
      expect([k, wave(o), o.kind === 'Object' || /\.aws\.m\.upbound\.io\//.test(o.apiVersion)]).toEqual([
        k,
        wave(ns),
        false,
      ]);
    }
    const nsDeleted = events.indexOf('delete Namespace/catalog-api-pr5706');
    expect(nsDeleted).toBeGreaterThan(0);
    const managed = objects.filter(
      (o) => /\.m\.(upbound|crossplane)\.io\//.test(o.apiVersion) && o.kind !== 'ProviderConfig',
    );
    expect(managed.length).toBeGreaterThan(50);
    for (const o of managed) {
      const gone = events.indexOf(`gone ${o.kind}/${o.metadata.name}`);
      expect([o.kind, o.metadata.name, gone >= 0 && gone < nsDeleted]).toEqual([o.kind, o.metadata.name, true]);
    }
    expect(events[events.length - 1]).toBe('finalizer removed');
  });

  test('GIVEN a preview removed THEN the app of apps prunes no Application that waits for AWS (the ApplicationSet deletes it)', () => {
    const rootManaged = argocdObjects(before).filter((o) => o.kind === 'Application');
    const kept = new Set(argocdObjects(after).map((o) => `${o.kind}/${o.metadata.name}`));
    const prunedByRoot = rootManaged.filter((a) => !kept.has(`Application/${a.metadata.name}`));
    expect(prunedByRoot.filter((a) => (a.metadata.finalizers ?? []).includes(FINALIZER))).toEqual([]);
    // and the preview's Application is gone from what the ApplicationSet generates
    expect(allApplications(argocdObjects(after)).map((a) => a.metadata.name)).not.toContain('catalog-api-pr5706');
    expect(allApplications(argocdObjects(before)).map((a) => a.metadata.name)).toContain('catalog-api-pr5706');
  });

  test('GIVEN production THEN it is an Application of the app of apps, never generated by the ApplicationSet', () => {
    const objects = argocdObjects(before);
    const prod = find(objects, 'Application', 'catalog-api-prod');
    expect(prod.metadata.finalizers).toBeUndefined();
    expect(prod.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
    const appSet = find(objects, 'ApplicationSet', 'catalog-api-previews');
    expect(appSet.spec.generators.flatMap((g: any) => g.list.elements.map((e: any) => e.suffix))).toEqual(['pr5706']);
    expect(appSet.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: false });
  });

  test('GIVEN only the bootstrap file THEN it holds exactly the AppProject and the app of apps', () => {
    const boot = before.find((f) => f.file === 'argocd/bootstrap.k8s.yaml')!.objects;
    expect(boot.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'AppProject/catalog-api',
      'Application/catalog-api',
    ]);
    // the app of apps' own project exists once; the pull-request previews' project is synced by the app of apps
    expect(allObjects(before).filter((o) => o.kind === 'AppProject' && o.metadata.name === 'catalog-api')).toHaveLength(
      1,
    );
  });
});
