import { type App, Tags } from 'aws-cdk-lib';
import { ComputeStack } from './compute-stack';
import { platformNames } from './names';
import { NetworkingStack } from './networking-stack';
import { ObservabilityStack } from './observability-stack';
import { type PlatformProfile, resolveProfile } from './profiles';
import { SecretsStack } from './secrets-stack';
import { readSettings } from './settings';

/**
 * Context key (`-c keepLegacyExports=true`) of the one-time upgrade of a platform deployed with
 * the exports of before the cut: the stacks keep exporting what no stack imports any more.
 */
export const KEEP_LEGACY_EXPORTS = 'keepLegacyExports';

export interface Platform {
  /** The profile with the deployment settings of the app's context applied. */
  readonly profile: PlatformProfile;
  readonly networking: NetworkingStack;
  readonly secrets: SecretsStack;
  readonly observability: ObservabilityStack;
  readonly compute: ComputeStack;
}

/**
 * The seed's four modules as four stacks, wired the way the seed's state files were:
 * networking and secrets stand alone, observability needs networking, compute needs all three.
 *
 * The deployment settings (alerts e-mail, certificate, allowed addresses, image, account,
 * prefix) come from the app's context (`bin/app.ts` adds the environment's); a profile that
 * needs one it lacks throws a ProfileError listing every problem.
 *
 * Cross-stack references (infra/README.md): compute imports what it places in the network and
 * the alerts topic through CloudFormation exports; everything else goes by name (the API log
 * group and secret) or by SSM parameter (the NAT gateway IDs of the dashboard). The explicit
 * dependencies below keep the deploy order where no export implies it.
 */
export function createPlatform(app: App, baseProfile: PlatformProfile): Platform {
  const profile = resolveProfile(
    baseProfile,
    readSettings((key) => app.node.tryGetContext(key)),
  );
  // Region from the profile; the account is whichever the deploying credentials belong to.
  const env = { region: profile.region };
  const stackName = (module: string) => `${profile.prefix}-${module}`;
  const common = { env, profile, terminationProtection: profile.terminationProtection };
  const names = platformNames(profile.prefix);

  const networking = new NetworkingStack(app, 'Networking', {
    ...common,
    stackName: stackName('networking'),
  });
  const secrets = new SecretsStack(app, 'Secrets', { ...common, stackName: stackName('secrets') });
  const observability = new ObservabilityStack(app, 'Observability', {
    ...common,
    stackName: stackName('observability'),
    natGatewayIdParameterNames: networking.natGatewayIdParameterNames,
  });
  observability.addStackDependency(networking, 'the dashboard reads the NAT gateway IDs from SSM');
  const compute = new ComputeStack(app, 'Compute', {
    ...common,
    stackName: stackName('compute'),
    vpc: networking.vpc,
    publicSubnetGroupName: networking.publicSubnetGroupName,
    privateSubnetGroupName: networking.privateSubnetGroupName,
    albSecurityGroup: networking.albSecurityGroup,
    serviceSecurityGroup: networking.serviceSecurityGroup,
    albLogsBucket: networking.albLogsBucket,
    albLogsPrefix: NetworkingStack.ALB_LOGS_PREFIX,
    apiKeysSecretName: secrets.apiKeysSecretName,
    apiLogGroupName: names.logGroups.api,
    apiErrorMetric: observability.apiErrorMetric,
    alertsTopic: observability.alertsTopic,
  });
  // The secret and the log group are referenced by name, which CloudFormation cannot see.
  compute.addStackDependency(secrets, 'the API tasks read the API keys secret');
  compute.addStackDependency(observability, 'the API tasks log to the API log group');

  // One deploy of a platform made before the exports were cut (infra/README.md, "Upgrading"):
  // the retired exports stay, unused, so that no producer drops one an old consumer imports.
  if (String(app.node.tryGetContext(KEEP_LEGACY_EXPORTS)) === 'true') {
    for (const id of [...networking.natGatewayIds, networking.flowLogGroup.logGroupName]) {
      networking.exportValue(id);
    }
    observability.exportValue(observability.apiLogGroup.logGroupName);
    observability.exportValue(observability.apiLogGroup.logGroupArn);
  }

  Tags.of(app).add('project', 'zama-api-platform');
  Tags.of(app).add('environment', profile.name);

  return { profile, networking, secrets, observability, compute };
}
