import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { binary } from './binaries';
import { ApiError, Kube, writeKubeconfig, type Credentials } from './kube';
import { generatePki, type Pki } from './pki';
import { freePort, onExit, startProcess, stopProcess, tail, waitFor, type Started } from './process';

export interface ControlPlaneOptions {
  /**
   * Run kube-controller-manager (namespace deletion and garbage collection).
   * @default true
   */
  readonly controllerManager?: boolean;
  /**
   * How long each program may take to become ready, in milliseconds.
   * @default 120000
   */
  readonly readyTimeoutMs?: number;
}

/**
 * A local control plane: etcd, kube-apiserver and kube-controller-manager built from their Go modules,
 * listening on 127.0.0.1 only, with certificates and service-account keys generated into a temporary
 * folder that `stop()` removes. RBAC authorization is on; the admin is in group system:masters.
 */
export class ControlPlane {
  readonly processes: Started[] = [];
  /** Admin credentials and client. */
  admin!: Kube;
  adminCredentials!: Credentials;
  adminKubeconfig!: string;
  server!: string;
  pki!: Pki;

  private readonly unregister: () => void;

  private constructor(readonly dir: string) {
    this.unregister = onExit(() => fs.rmSync(dir, { recursive: true, force: true }));
  }

  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const cp = new ControlPlane(fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-cluster-')));
    try {
      await cp.boot(options);
      return cp;
    } catch (e) {
      const logs = cp.logTails();
      await cp.stop();
      throw new Error(`${(e as Error).message}${logs ? `\n${logs}` : ''}`, { cause: e });
    }
  }

  /** Start a program with its log in the control plane's folder; `stop()` stops it. */
  start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Started {
    const p = startProcess(name, command, args, path.join(this.dir, `${name}.log`), env);
    this.processes.push(p);
    return p;
  }

  private async boot(options: ControlPlaneOptions): Promise<void> {
    const timeout = options.readyTimeoutMs ?? 120_000;
    this.pki = generatePki(path.join(this.dir, 'pki'));

    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcd = this.start('etcd', binary('etcd'), [
      '--name=cluster-test',
      `--data-dir=${path.join(this.dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=cluster-test=${peerUrl}`,
      // a throw-away store: durability costs seconds per test on a shared disk
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor(
      'etcd /health',
      async () => {
        const res = await fetch(`${etcdUrl}/health`);
        const body = (await res.json()) as { health?: string };
        return body.health === 'true' ? true : undefined;
      },
      timeout,
      etcd,
    );

    this.server = `https://127.0.0.1:${apiPort}`;
    const { pki } = this;
    const apiserver = this.start('kube-apiserver', binary('kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${path.join(this.dir, 'apiserver')}`,
      `--tls-cert-file=${pki.apiserver.cert}`,
      `--tls-private-key-file=${pki.apiserver.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      // the `kubernetes` Service endpoint would be 127.0.0.1, which Endpoints validation rejects
      '--endpoint-reconciler-type=none',
      '--v=0',
    ]);
    this.adminCredentials = {
      server: this.server,
      caFile: pki.ca.cert,
      certFile: pki.admin.cert,
      keyFile: pki.admin.key,
    };
    this.admin = new Kube(this.adminCredentials);
    await waitFor(
      'kube-apiserver /readyz',
      async () => ((await this.admin.request<string>('GET', '/readyz')) === 'ok' ? true : undefined),
      timeout,
      apiserver,
    );
    this.adminKubeconfig = path.join(this.dir, 'admin.kubeconfig');
    writeKubeconfig(this.adminKubeconfig, this.adminCredentials, 'admin');

    if (options.controllerManager ?? true) {
      const kubeconfig = path.join(this.dir, 'controller-manager.kubeconfig');
      writeKubeconfig(
        kubeconfig,
        {
          server: this.server,
          caFile: pki.ca.cert,
          certFile: pki.controllerManager.cert,
          keyFile: pki.controllerManager.key,
        },
        'system:kube-controller-manager',
      );
      const kcm = this.start('kube-controller-manager', binary('kube-controller-manager'), [
        `--kubeconfig=${kubeconfig}`,
        // namespace deletion and owner-reference garbage collection: what the scenarios need from it
        '--controllers=namespace-controller,garbage-collector-controller',
        // each controller with its own ServiceAccount and bootstrap role, as kubeadm runs it
        '--use-service-account-credentials=true',
        '--leader-elect=false',
        // no serving endpoint: nothing scrapes it here
        '--secure-port=0',
        '--v=0',
      ]);
      await this.proveNamespaceDeletion(timeout, kcm);
    }
  }

  /** kube-controller-manager is working once a namespace it must finalize goes away. */
  private async proveNamespaceDeletion(timeoutMs: number, kcm: Started): Promise<void> {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cluster-test-probe' } };
    await this.admin.create(ns);
    await this.admin.delete('v1', 'Namespace', undefined, ns.metadata.name);
    await waitFor(
      'kube-controller-manager to finish deleting a namespace',
      async () => ((await this.admin.find('v1', 'Namespace', undefined, ns.metadata.name)) ? undefined : true),
      timeoutMs,
      kcm,
    );
  }

  /** The last lines of every program's log. */
  logTails(lines = 30): string {
    return this.processes
      .map((p) => `--- ${p.name} (${p.exit() ?? 'running'}) ---\n${tail(p.logFile, lines)}`)
      .join('\n');
  }

  /** Copy every program log to `dir` (kept after the temporary folder is removed). */
  saveLogs(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    // every program's log, and the logs of the harness's own stand-ins (*.log in the folder)
    const logs = new Set([
      ...this.processes.map((p) => p.logFile),
      ...fs
        .readdirSync(this.dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => path.join(this.dir, f)),
    ]);
    for (const log of logs) {
      if (fs.existsSync(log)) fs.copyFileSync(log, path.join(dir, path.basename(log)));
    }
  }

  /** Stop every program (last started first) and remove the temporary folder. */
  async stop(): Promise<void> {
    this.admin?.close();
    for (const p of [...this.processes].reverse()) await stopProcess(p);
    fs.rmSync(this.dir, { recursive: true, force: true });
    this.unregister();
  }
}

export { ApiError };
