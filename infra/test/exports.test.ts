/**
 * Strong cross-stack references (CloudFormation exports) are reviewed: an export in use blocks
 * every change of the producer that would alter or remove it, so each one here is what its
 * consumer cannot work without (infra/README.md, "Cross-stack references"). A new export fails
 * this test until it is added below with its reason; one that disappears fails it too, so the
 * list stays what the templates do.
 */
import { KEEP_LEGACY_EXPORTS } from '../lib/platform';
import { PROFILE_NAMES } from '../lib/profiles';
import { type CfnTemplate, MODULES, type Module, synthesizePlatform } from '../lib/synthesize';
import { exampleContext, rawTemplateOf } from './support';

/** `<producer>: <Ref|GetAtt> <logical ID>[.<attribute>]` -> why the consumer needs it strongly. */
const REVIEWED_EXPORTS: Readonly<Record<string, string>> = {
  'networking: Ref Vpc8378EB38':
    'compute: target group and Cloud Map namespace; a VPC cannot be replaced under a running service anyway',
  'networking: Ref VpcpublicSubnet1Subnet2BB74ED7': 'compute: the load balancer nodes live in it',
  'networking: Ref VpcpublicSubnet2SubnetE34B022A': 'compute: the load balancer nodes live in it',
  'networking: Ref VpcprivateSubnet1SubnetCEAD3716': "compute: the tasks' network interfaces live in it",
  'networking: Ref VpcprivateSubnet2Subnet2DE7549C': "compute: the tasks' network interfaces live in it",
  'networking: GetAtt AlbSecurityGroup86A59E99.GroupId':
    'compute: the load balancer uses it; EC2 refuses to delete a group in use, so a weak reference would only fail later',
  'networking: GetAtt ServiceSecurityGroup61DE1A49.GroupId':
    "compute: the tasks' network interfaces use it; EC2 refuses to delete a group in use",
  'networking: Ref AlbLogsBucket9F12F2B8':
    'compute: the load balancer writes its access logs there; the bucket is retained and never renamed',
  'observability: Ref AlertsTopic3414BE91':
    'compute: every alarm notifies it; SNS would let a deleted topic swallow alerts silently, and the local data plane follows this reference to the inbox',
};

/** The exports of a template, described by what they export. */
function exportsOf(module: Module, template: CfnTemplate): string[] {
  return Object.values(template.Outputs ?? {})
    .filter((output) => output.Export !== undefined)
    .map((output) => `${module}: ${describeValue(output.Value)}`);
}

function describeValue(value: unknown): string {
  const intrinsic = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (typeof intrinsic?.Ref === 'string') return `Ref ${intrinsic.Ref}`;
  if (Array.isArray(intrinsic?.['Fn::GetAtt'])) return `GetAtt ${intrinsic['Fn::GetAtt'].join('.')}`;
  return JSON.stringify(value);
}

describe.each(PROFILE_NAMES)('cross-stack exports of the %s profile', (profile) => {
  test('are exactly the reviewed ones', () => {
    // GIVEN the four templates
    // WHEN
    const exported = MODULES.flatMap((module) => exportsOf(module, rawTemplateOf(profile, module)));
    // THEN
    expect(exported.filter((name) => !(name in REVIEWED_EXPORTS))).toEqual([]);
    expect(Object.keys(REVIEWED_EXPORTS).filter((name) => !exported.includes(name))).toEqual([]);
  });

  test('leave the dashboard-only values to SSM parameters and names', () => {
    // GIVEN the observability stack, which only shows networking values
    // WHEN
    const template = JSON.stringify(rawTemplateOf(profile, 'observability'));
    // THEN it imports nothing
    expect(template).not.toContain('Fn::ImportValue');
  });
});

test('a new export is caught', () => {
  // GIVEN a template exporting a value nobody reviewed
  const template: CfnTemplate = {
    Resources: {},
    Outputs: {
      ExportsOutputRefFlowLogGroup: {
        Value: { Ref: 'FlowLogGroup3E25AA51' },
        Export: { Name: 'zama-networking:ExportsOutputRefFlowLogGroup' },
      },
      ApiUrl: { Value: 'http://example.com' },
    },
  };
  // WHEN
  const exported = exportsOf('networking', template);
  // THEN only the export counts, and it is not on the list
  expect(exported).toEqual(['networking: Ref FlowLogGroup3E25AA51']);
  expect(exported.filter((name) => !(name in REVIEWED_EXPORTS))).toHaveLength(1);
});

test('the upgrade switch keeps exactly the retired exports, under the names the stacks had', () => {
  // GIVEN the dev profile synthesized for the one-time upgrade of an older deployment
  const { templates } = synthesizePlatform('dev', {
    context: { ...exampleContext('dev'), [KEEP_LEGACY_EXPORTS]: 'true' },
  });
  // WHEN
  const names = MODULES.flatMap((module) =>
    Object.values(templates[module].Outputs ?? {}).flatMap((output) =>
      output.Export ? [String(output.Export.Name)] : [],
    ),
  );
  const current = MODULES.flatMap((module) =>
    Object.values(rawTemplateOf('dev', module).Outputs ?? {}).flatMap((output) =>
      output.Export ? [String(output.Export.Name)] : [],
    ),
  );
  // THEN the exports of before the cut, none more
  expect(names.filter((name) => !current.includes(name)).sort()).toEqual([
    'zama-api-platform-dev-networking:ExportsOutputRefFlowLogGroup3E25AA5106B7E2D8',
    'zama-api-platform-dev-networking:ExportsOutputRefVpcpublicSubnet1NATGatewayA036E8A6FE006DA2',
    'zama-api-platform-dev-networking:ExportsOutputRefVpcpublicSubnet2NATGateway4A29FD4FDF02D493',
    'zama-api-platform-dev-observability:ExportsOutputFnGetAttApiLogGroup1DEDFC07ArnD364EB60',
    'zama-api-platform-dev-observability:ExportsOutputRefApiLogGroup1DEDFC079094F694',
  ]);
  expect(current.every((name) => names.includes(name))).toBe(true);
});
