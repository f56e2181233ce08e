import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Files of a key pair signed by the harness CA. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface Pki {
  readonly dir: string;
  readonly ca: KeyPair;
  /** kube-apiserver serving certificate for 127.0.0.1, localhost and the in-cluster names. */
  readonly apiserver: KeyPair;
  /** Client certificate in group system:masters: the cluster administrator. */
  readonly admin: KeyPair;
  /** Client certificate for kube-controller-manager (user system:kube-controller-manager). */
  readonly controllerManager: KeyPair;
  /** Serving certificate for controllers' webhook servers on 127.0.0.1 (`tls.crt`/`tls.key` in `webhookDir`). */
  readonly webhookDir: string;
  /** RSA key pair the API server signs and verifies service-account tokens with. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

function openssl(dir: string, args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || (e as Error).message}`);
  }
}

function signed(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  ca: KeyPair,
  files?: { cert: string; key: string },
): KeyPair {
  const key = files?.key ?? path.join(dir, `${name}.key`);
  const cert = files?.cert ?? path.join(dir, `${name}.crt`);
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, extensions);
  openssl(dir, [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-subj',
    subject,
    '-out',
    csr,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    ext,
    '-out',
    cert,
  ]);
  fs.rmSync(csr);
  fs.rmSync(ext);
  return { cert, key };
}

/**
 * Generate every certificate and key the local control plane needs with the `openssl` command, into
 * `dir` (created). Certificates are valid for two days and name only loopback addresses.
 */
export function generatePki(dir: string): Pki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: path.join(dir, 'ca.crt'), key: path.join(dir, 'ca.key') };
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    '2',
    '-subj',
    '/CN=catalog-api-cluster-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const server = 'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n';
  const client = 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';
  const apiserver = signed(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    `${server}subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n`,
    ca,
  );
  const admin = signed(dir, 'admin', '/O=system:masters/CN=cluster-test-admin', client, ca);
  const controllerManager = signed(dir, 'controller-manager', '/CN=system:kube-controller-manager', client, ca);
  const webhookDir = path.join(dir, 'webhook');
  fs.mkdirSync(webhookDir);
  signed(dir, 'webhook', '/CN=webhook', `${server}subjectAltName=IP:127.0.0.1,DNS:localhost\n`, ca, {
    cert: path.join(webhookDir, 'tls.crt'),
    key: path.join(webhookDir, 'tls.key'),
  });
  const serviceAccountKey = path.join(dir, 'sa.key');
  const serviceAccountPub = path.join(dir, 'sa.pub');
  openssl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', serviceAccountKey]);
  openssl(dir, ['pkey', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPub]);
  return { dir, ca, apiserver, admin, controllerManager, webhookDir, serviceAccountKey, serviceAccountPub };
}
