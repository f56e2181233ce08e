import { Construct } from 'constructs';
import * as secretsmanager from '../../imports/secretsmanager.aws.m.upbound.io';
import { ARGO_SYNC_OPTIONS, EnvironmentContext, POLICY_EXCEPTION_PREFIX } from '../common/context';

/** Where the adopted secret reports its ARN (provider v2.6.0 CRD `secretsmanager.aws.m.upbound.io_secrets.yaml`). */
export const KEPT_SECRET_ARN_FIELD = 'status.atProvider.arn';

export interface KeptMasterSecretProps {
  readonly context: EnvironmentContext;
  /**
   * ARN of the Secrets Manager secret Terraform created for the master password, which is also its external name
   * (provider-upjet-aws v2.6.0 config/externalname.go:2465, IdentifierFromProvider: the Terraform id, the ARN).
   * Source: the adoption file, written by `npm run adopt` from the state.
   */
  readonly arn: string;
}

/**
 * The secret holding the master password of an adopted cluster that keeps the password Terraform generated
 * (`keepDatabasePassword`), so that the tasks of our revision read the password that runs.
 *
 * Observe only, in every phase: Crossplane reads the secret and never creates, updates or deletes it
 * (crossplane-runtime v2.2.0 pkg/reconciler/managed/reconciler.go:1456 skips every update without Update, :1140
 * reports a missing resource instead of creating it, :972 releases the object without touching AWS when Delete is
 * not allowed; policies.go:187-236). Update would buy nothing the tasks need: the secret's spec holds only its name,
 * description, key, tags and replicas, never its value (that is the SecretVersion, which is never emitted, so no
 * value is ever written, nor held in git, `dist/` or the management cluster). Create would be harmful: a secret
 * that disappeared would come back empty under the same name. The status still fills in every observation (upjet
 * crossplane/upjet@59c45527ebe4 pkg/controller/external_tfpluginsdk.go:573-584), so the ARN late-binds as in
 * observe.
 *
 * forProvider holds only what identifies it: its name (the seed's `db-credentials-<suffix>`) and the region.
 */
export class KeptMasterSecret extends Construct {
  readonly secret: secretsmanager.Secret;
  /** The secret's ARN: the only resource the task role may read the password from. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: KeptMasterSecretProps) {
    super(scope, id);
    const ctx = props.context;
    const name = ctx.names.dbCredentialsSecret;
    this.arn = props.arn;
    const protection: Record<string, string> = ctx.isProduction
      ? { [ARGO_SYNC_OPTIONS]: 'Prune=false,Delete=false' }
      : {
          [`${POLICY_EXCEPTION_PREFIX}DEL001`]:
            'observed only: deleting this object never deletes the AWS secret (no Delete policy)',
        };
    this.secret = new secretsmanager.Secret(this, 'Resource', {
      metadata: ctx.metadata(name, 'secrets', { 'crossplane.io/external-name': props.arn, ...protection }),
      spec: {
        ...ctx.mrSpec(),
        managementPolicies: [secretsmanager.SecretSpecManagementPolicies.OBSERVE],
        forProvider: { region: ctx.region, name },
      },
    });
  }
}
