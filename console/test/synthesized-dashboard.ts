/**
 * The dashboard body the observability stack synthesizes for the local profile, with its
 * references evaluated as an emulator's deploy would: account 000000000000, each log group by
 * its name.
 */
import { synthesizeExample } from '@zama/infra';
import { type DeployedResource, DeployedValues, readCloudAssembly, resourcesOfType } from '@zama/localstack';

export const ACCOUNT = '000000000000';

export function synthesizedDashboard(): { name: string; body: string } {
  const stacks = readCloudAssembly(synthesizeExample('local').assemblyDir);
  const logGroups = resourcesOfType(stacks, 'AWS::Logs::LogGroup');
  const resources = new Map(
    stacks.map((stack) => [
      stack.stackName,
      new Map<string, DeployedResource>(
        logGroups
          .filter((group) => group.stack === stack)
          .map((group) => [
            group.logicalId,
            { ref: String(group.resource.Properties?.LogGroupName), attributes: {} },
          ]),
      ),
    ]),
  );
  const values = new DeployedValues({ account: ACCOUNT, region: 'us-east-1', resources, exports: new Map() });
  const [dashboard] = resourcesOfType(stacks, 'AWS::CloudWatch::Dashboard');
  return {
    name: String(dashboard.resource.Properties?.DashboardName),
    body: values.text(dashboard, 'DashboardBody'),
  };
}
