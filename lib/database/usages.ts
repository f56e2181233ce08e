import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as protection from '../../imports/protection.crossplane.io';
import { EnvironmentContext } from '../common/context';

export interface DataProtectionProps {
  readonly context: EnvironmentContext;
  /** Resources holding data: protected outright in production. */
  readonly stateful: readonly ApiObject[];
  /** `[user, used]`: `used` cannot be deleted while `user` exists (the network a database needs). */
  readonly dependencies: ReadonlyArray<readonly [ApiObject, ApiObject]>;
}

/**
 * Crossplane Usages, the third deletion guard after Argo CD's sync options and the managementPolicies:
 *   - production: each stateful resource is in use "for its data", so Crossplane refuses to delete it at all;
 *   - every environment: the database's subnet group, security group and subnets cannot go while it exists, and
 *     deleting them waits for it (replayDeletion), so a preview tears down in order.
 */
export class DataProtection extends Construct {
  constructor(scope: Construct, id: string, props: DataProtectionProps) {
    super(scope, id);
    const ctx = props.context;
    const ref = (o: ApiObject) => ({ apiVersion: o.apiVersion, kind: o.kind, resourceRef: { name: o.name } });
    if (ctx.isProduction) {
      const guards = new Construct(this, 'Stateful');
      for (const o of props.stateful) {
        new protection.Usage(guards, `${o.kind}-${o.name}`, {
          metadata: ctx.metadata(`protect-${o.kind.toLowerCase()}-${o.name}`, 'database'),
          spec: { of: ref(o), reason: 'production data: delete this Usage first, deliberately, to allow deletion' },
        });
      }
    }
    const deps = new Construct(this, 'Dependencies');
    for (const [user, used] of props.dependencies) {
      new protection.Usage(deps, `${used.kind}-${used.name}`, {
        metadata: ctx.metadata(`${used.kind.toLowerCase()}-${used.name}-used-by-${user.name}`, 'database'),
        spec: { of: ref(used), by: ref(user), replayDeletion: true },
      });
    }
  }
}
