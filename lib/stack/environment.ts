import { App, Chart } from 'cdk8s';
import { EnvironmentContext } from '../common/context';
import { EnvironmentConfig } from '../config/types';
import { Foundation } from '../foundation/foundation';
import { Network } from '../network/network';
import { SecurityGroups } from '../network/security-groups';

/** A chart and the file under `dist/` it is written to. */
export interface ChartOutput {
  readonly file: string;
  readonly chart: Chart;
}

/** The charts of one environment, one per concern, each written to `dist/environments/<suffix>/<concern>.k8s.yaml`. */
export class EnvironmentStack {
  readonly context: EnvironmentContext;
  readonly outputs: ChartOutput[] = [];
  readonly foundation: Foundation;
  readonly network: Network;
  readonly securityGroups: SecurityGroups;

  constructor(app: App, config: EnvironmentConfig) {
    const context = new EnvironmentContext(config);
    this.context = context;
    const chart = (concern: string) => {
      const c = new Chart(app, `${config.suffix}-${concern}`);
      this.outputs.push({ file: `environments/${config.suffix}/${concern}.k8s.yaml`, chart: c });
      return c;
    };
    this.foundation = new Foundation(chart('foundation'), 'Foundation', { context });
    const network = chart('network');
    this.network = new Network(network, 'Network', { context });
    this.securityGroups = new SecurityGroups(network, 'SecurityGroups', { context, vpc: this.network.vpc });
  }
}
