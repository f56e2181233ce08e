import { App, Chart } from 'cdk8s';
import { EnvironmentContext } from '../common/context';
import { EnvironmentConfig } from '../config/types';
import { Database } from '../database/database';
import { DatabaseEndpoints } from '../database/endpoints';
import { KeptMasterSecret } from '../database/kept-secret';
import { DataProtection } from '../database/usages';
import { Cdn } from '../edge/cdn';
import { LoadBalancer } from '../edge/load-balancer';
import { LogBucket } from '../edge/log-bucket';
import { Foundation } from '../foundation/foundation';
import { Network } from '../network/network';
import { SecurityGroups } from '../network/security-groups';
import { Alarms } from '../observability/alarms';
import { Outputs } from '../observability/outputs';
import { imageReference, repositoryLocation } from '../registry/registry';
import { TaskRoles } from '../service/roles';
import { CatalogService } from '../service/service';
import { SmokeTest } from '../smoke/smoke-test';
import { ObjectAccess } from '../wiring/access';

/** A chart and the file under `dist/` it is written to. */
export interface ChartOutput {
  readonly file: string;
  readonly chart: Chart;
}

export interface EnvironmentStackOptions {
  /**
   * ARN of the Secrets Manager secret Terraform created for the master password, for an environment adopted from
   * Terraform whose cluster keeps that password (`keepDatabasePassword` in its adoption file): the secret is observed,
   * its ARN feeds `DB_SECRET_ARN`, and the task role reads that secret. @default - the password is RDS-managed
   */
  readonly keptDatabaseSecretArn?: string;
}

/**
 * The charts of one environment, one per concern, each written to `dist/environments/<suffix>/<concern>.k8s.yaml`.
 * Resources are wired by object (a construct's name into the other's `*Ref`), never by pasted ids.
 */
export class EnvironmentStack {
  readonly context: EnvironmentContext;
  readonly outputs: ChartOutput[] = [];
  readonly foundation: Foundation;
  readonly network: Network;
  readonly securityGroups: SecurityGroups;
  readonly database: Database;
  readonly endpoints: DatabaseEndpoints;
  /** The Terraform-created password secret an adopted cluster keeps (only then). */
  readonly keptSecret?: KeptMasterSecret;
  readonly roles: TaskRoles;
  readonly service: CatalogService;
  readonly logBucket: LogBucket;
  readonly loadBalancer: LoadBalancer;
  readonly cdn: Cdn;
  readonly alarms: Alarms;
  readonly stackOutputs: Outputs;

  constructor(app: App, config: EnvironmentConfig, opts: EnvironmentStackOptions = {}) {
    const context = new EnvironmentContext(config);
    this.context = context;
    const chart = (concern: string) => {
      const c = new Chart(app, `${config.suffix}-${concern}`);
      this.outputs.push({ file: `environments/${config.suffix}/${concern}.k8s.yaml`, chart: c });
      return c;
    };

    const foundation = chart('foundation');
    this.foundation = new Foundation(foundation, 'Foundation', { context });
    new ObjectAccess(foundation, 'ObjectAccess', { context });

    const network = chart('network');
    this.network = new Network(network, 'Network', { context });
    this.securityGroups = new SecurityGroups(network, 'SecurityGroups', { context, vpc: this.network.vpc });

    const data = chart('database');
    this.database = new Database(data, 'Database', {
      context,
      zones: this.network.zones,
      securityGroup: this.securityGroups.rds,
    });
    if (opts.keptDatabaseSecretArn !== undefined) {
      this.keptSecret = new KeptMasterSecret(data, 'KeptSecret', { context, arn: opts.keptDatabaseSecretArn });
    }
    this.endpoints = new DatabaseEndpoints(data, 'Endpoints', {
      context,
      cluster: this.database.cluster,
      keptSecret: this.keptSecret,
    });

    const edge = chart('edge');
    this.logBucket = new LogBucket(edge, 'LogBucket', { context });
    this.loadBalancer = new LoadBalancer(edge, 'LoadBalancer', {
      context,
      vpc: this.network.vpc,
      publicSubnets: this.network.publicSubnets,
      securityGroup: this.securityGroups.alb,
      logBucket: this.logBucket.bucket,
    });
    this.cdn = new Cdn(edge, 'Cdn', { context, loadBalancer: this.loadBalancer.loadBalancer });

    const service = chart('service');
    // the shared repository is the platform's (SharedRegistry); the configuration guarantees a pinned reference
    const external = config.service.image;
    const repository = repositoryLocation(config.registry);
    this.roles = new TaskRoles(service, 'Roles', {
      context,
      databaseClusterName: this.database.cluster.name,
      keptSecret: this.keptSecret,
      parameterNames: this.endpoints.parameterNames,
      repositoryArn: external ? undefined : repository.arn,
    });
    const [writer, reader, masterSecretArn] = this.endpoints.parameterNames;
    this.service = new CatalogService(service, 'Service', {
      context,
      image: external ?? imageReference(repository.uri, config.service.imageTag!),
      privateSubnets: this.network.privateSubnets,
      securityGroup: this.securityGroups.ecs,
      targetGroup: this.loadBalancer.targetGroup,
      executionRole: this.roles.executionRole,
      taskRole: this.roles.taskRole,
      databaseParameters: { writer, reader, masterSecretArn },
    });

    const cluster = this.database.cluster;
    new DataProtection(data, 'Protection', {
      context,
      stateful: [cluster, ...this.database.instances, this.logBucket.bucket],
      dependencies: [
        [cluster, this.database.subnetGroup],
        [cluster, this.securityGroups.rds],
        ...this.network.privateSubnets.map((s) => [this.database.subnetGroup, s] as const),
      ],
    });

    const observability = chart('observability');
    this.alarms = new Alarms(observability, 'Alarms', {
      context,
      cluster: this.service.cluster,
      service: this.service.service,
      dbInstances: this.database.instances,
      loadBalancer: this.loadBalancer.loadBalancer,
      targetGroup: this.loadBalancer.targetGroup,
      distribution: this.cdn.distribution,
    });
    this.stackOutputs = new Outputs(observability, 'Outputs', {
      context,
      distribution: this.cdn.distribution,
      loadBalancer: this.loadBalancer.loadBalancer,
      cluster: this.database.cluster,
    });

    new SmokeTest(chart('smoke-test'), 'SmokeTest', { context });
  }
}
