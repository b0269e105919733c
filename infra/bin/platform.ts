import { type App, Tags } from 'aws-cdk-lib';
import { ComputeStack } from '../lib/compute-stack';
import { NetworkingStack } from '../lib/networking-stack';
import { ObservabilityStack } from '../lib/observability-stack';
import type { PlatformProfile } from '../lib/profiles';
import { SecretsStack } from '../lib/secrets-stack';

export interface Platform {
  readonly networking: NetworkingStack;
  readonly secrets: SecretsStack;
  readonly observability: ObservabilityStack;
  readonly compute: ComputeStack;
}

/**
 * The seed's four modules as four stacks, wired the way the seed's state files were:
 * networking and secrets stand alone, observability needs networking, compute needs all three.
 */
export function createPlatform(app: App, profile: PlatformProfile): Platform {
  // Region from the profile; the account is whichever the deploying credentials belong to.
  const env = { region: profile.region };
  const stackName = (module: string) => `${profile.prefix}-${module}`;

  const networking = new NetworkingStack(app, 'Networking', {
    env,
    stackName: stackName('networking'),
    profile,
  });
  const secrets = new SecretsStack(app, 'Secrets', { env, stackName: stackName('secrets'), profile });
  const observability = new ObservabilityStack(app, 'Observability', {
    env,
    stackName: stackName('observability'),
    profile,
    natGatewayIds: networking.natGatewayIds,
    flowLogGroup: networking.flowLogGroup,
  });
  const compute = new ComputeStack(app, 'Compute', {
    env,
    stackName: stackName('compute'),
    profile,
    vpc: networking.vpc,
    publicSubnetGroupName: networking.publicSubnetGroupName,
    privateSubnetGroupName: networking.privateSubnetGroupName,
    albSecurityGroup: networking.albSecurityGroup,
    serviceSecurityGroup: networking.serviceSecurityGroup,
    albLogsBucket: networking.albLogsBucket,
    albLogsPrefix: NetworkingStack.ALB_LOGS_PREFIX,
    apiKeysSecretName: secrets.apiKeysSecretName,
    apiLogGroup: observability.apiLogGroup,
    apiErrorMetric: observability.apiErrorMetric,
    alertsTopic: observability.alertsTopic,
  });
  // The secret is referenced by name, which CloudFormation cannot see: order the deploys here.
  compute.addStackDependency(secrets, 'the API tasks read the API keys secret');

  Tags.of(app).add('project', 'zama-api-platform');
  Tags.of(app).add('environment', profile.name);

  return { networking, secrets, observability, compute };
}
