import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AlbSettingsError,
  AWS_DEFAULTS,
  albSettingsFromStacks,
  httpCodeMatcher,
  loadAlbSettings,
} from '../../src/alb/settings';
import { CloudAssemblyError, type SynthesizedStack } from '../../src/cloud-assembly';

const FIXTURE = join(__dirname, 'fixtures', 'cdk.out');
const LOCAL = { account: '000000000000', region: 'us-east-1' };

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function stack(stackName: string, Resources: Resources, Outputs?: Record<string, unknown>): SynthesizedStack {
  return { stackName, template: { Resources, ...(Outputs && { Outputs }) } as SynthesizedStack['template'] };
}

const loadBalancer = (properties: Record<string, unknown> = {}) => ({
  Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  Properties: { Type: 'application', ...properties },
});
const listener = (targetGroupArn: unknown, properties: Record<string, unknown> = {}) => ({
  Type: 'AWS::ElasticLoadBalancingV2::Listener',
  Properties: {
    DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    LoadBalancerArn: { Ref: 'Lb' },
    Port: 80,
    Protocol: 'HTTP',
    ...properties,
  },
});
const targetGroup = (properties: Record<string, unknown> = {}) => ({
  Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
  Properties: { Port: 8080, Protocol: 'HTTP', TargetType: 'ip', ...properties },
});

/** The smallest ALB a CDK app synthesizes: every optional property left to AWS's defaults. */
function minimalAlb(tg: Record<string, unknown> = {}): Resources {
  return { Lb: loadBalancer(), Listener: listener({ Ref: 'Tg' }), Tg: targetGroup(tg) };
}

function settingsOf(resources: Resources) {
  return albSettingsFromStacks([stack('Compute', resources)], LOCAL);
}

function errorOf(action: () => unknown, type: typeof CloudAssemblyError = AlbSettingsError): Error {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as Error;
  }
  throw new Error(`expected a ${type.name}`);
}

describe('loadAlbSettings', () => {
  it('reads listener, target group and load balancer settings from a cloud assembly', () => {
    // GIVEN a cloud assembly shaped like `cdk synth` output (two stacks, cross-stack imports)
    const settings = loadAlbSettings(FIXTURE, LOCAL);

    // THEN every setting comes from the templates, and names from the Name properties
    expect(settings).toEqual({
      loadBalancer: {
        stackName: 'zama-compute',
        logicalId: 'ApiAlbA4A01C43',
        name: 'zama-api-alb',
        fullName: expect.stringMatching(/^app\/zama-api-alb\/[0-9a-f]{16}$/),
        idleTimeoutSeconds: 45,
        desyncMitigationMode: 'defensive',
        dropInvalidHeaderFields: false,
      },
      listener: { stackName: 'zama-compute', logicalId: 'ApiAlbHttpListener5E4A1A7B', port: 80 },
      targetGroup: {
        stackName: 'zama-compute',
        logicalId: 'ApiTargetGroup2D1A7C46',
        name: 'zama-api-tg',
        // the stack's own environment wins over the local fallback
        arn: expect.stringMatching(
          /^arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup\/zama-api-tg\/[0-9a-f]{16}$/,
        ),
        port: 8080,
        targetPort: 8080,
        deregistrationDelaySeconds: 30,
        healthCheck: {
          path: '/healthz',
          port: 'traffic-port',
          intervalSeconds: 15,
          timeoutSeconds: 4,
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
          matcher: '200-299',
        },
      },
    });
  });

  it('derives the same resource ids on every load, so log lines and dimensions stay stable', () => {
    expect(loadAlbSettings(FIXTURE, LOCAL)).toEqual(loadAlbSettings(FIXTURE, LOCAL));
  });

  it('tells the user to synthesize when the directory holds no cloud assembly', () => {
    const empty = mkdtempSync(join(tmpdir(), 'alb-settings-'));
    expect(errorOf(() => loadAlbSettings(empty, LOCAL), CloudAssemblyError).message).toBe(
      `No cloud assembly at ${empty} (manifest.json is missing): run \`make synth\` (after changing infra/) and point CLOUD_ASSEMBLY_DIR at its cdk.out`,
    );
  });

  it('names a template file the manifest lists but the directory lacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alb-settings-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        artifacts: {
          Compute: {
            type: 'aws:cloudformation:stack',
            properties: { templateFile: 'Compute.template.json' },
          },
        },
      }),
    );
    expect(errorOf(() => loadAlbSettings(dir, LOCAL), CloudAssemblyError).message).toMatch(
      /Compute\.template\.json named by .*manifest\.json is missing: run `make synth`/,
    );
  });
});

describe('albSettingsFromStacks', () => {
  it('reads the routing.http attributes that change what the listener forwards', () => {
    // GIVEN a load balancer that sets both, as the compute stack sets the second
    const settings = settingsOf({
      ...minimalAlb(),
      Lb: loadBalancer({
        LoadBalancerAttributes: [
          { Key: 'routing.http.desync_mitigation_mode', Value: 'strictest' },
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        ],
      }),
    });
    // THEN the simulated ALB runs with them
    expect(settings.loadBalancer).toMatchObject({
      desyncMitigationMode: 'strictest',
      dropInvalidHeaderFields: true,
    });
  });

  it('refuses a desync mitigation mode ELBv2 does not have, naming the ones it has', () => {
    const resources = {
      ...minimalAlb(),
      Lb: loadBalancer({
        LoadBalancerAttributes: [{ Key: 'routing.http.desync_mitigation_mode', Value: 'paranoid' }],
      }),
    };
    expect(errorOf(() => settingsOf(resources)).message).toMatch(
      /routing\.http\.desync_mitigation_mode is paranoid; ELBv2 accepts monitor, defensive, strictest/,
    );
  });

  it("applies AWS's documented defaults to everything the template leaves out", () => {
    const settings = settingsOf(minimalAlb());

    expect(settings.loadBalancer).toMatchObject({
      name: 'Lb',
      idleTimeoutSeconds: 60,
      desyncMitigationMode: 'defensive',
      dropInvalidHeaderFields: false,
    });
    expect(settings.targetGroup).toMatchObject({
      name: 'Tg',
      port: 8080,
      targetPort: 8080,
      deregistrationDelaySeconds: 300,
      healthCheck: {
        path: '/',
        port: 'traffic-port',
        intervalSeconds: 30,
        timeoutSeconds: 5,
        healthyThresholdCount: 5,
        unhealthyThresholdCount: 2,
        matcher: '200',
      },
    });
    expect(AWS_DEFAULTS).toMatchObject({ healthCheckIntervalSeconds: 30, deregistrationDelaySeconds: 300 });
    expect(settings.targetGroup.arn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup\/Tg\//,
    );
  });

  it('follows a cross-stack import from the listener to the target group in another stack', () => {
    const settings = albSettingsFromStacks(
      [
        stack(
          'Targets',
          { Tg: targetGroup({ HealthCheckPath: '/ready' }) },
          {
            ExportsOutputRefTg: { Value: { Ref: 'Tg' }, Export: { Name: 'Targets:ExportsOutputRefTg' } },
          },
        ),
        stack('Edge', {
          Lb: loadBalancer(),
          Listener: listener({ 'Fn::ImportValue': 'Targets:ExportsOutputRefTg' }),
        }),
      ],
      LOCAL,
    );
    expect(settings.targetGroup).toMatchObject({ stackName: 'Targets', logicalId: 'Tg' });
    expect(settings.targetGroup.healthCheck.path).toBe('/ready');
    expect(settings.listener.stackName).toBe('Edge');
  });

  it('reads the ForwardConfig form of a forward action', () => {
    const settings = settingsOf({
      Lb: loadBalancer(),
      Listener: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: {
          DefaultActions: [
            { Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: { Ref: 'Tg' } }] } },
          ],
          LoadBalancerArn: { Ref: 'Lb' },
          Port: 8000,
        },
      },
      Tg: targetGroup(),
    });
    expect(settings.listener.port).toBe(8000);
    expect(settings.targetGroup.logicalId).toBe('Tg');
  });

  it('registers targets on the container port the ECS service maps to the target group', () => {
    const settings = settingsOf({
      ...minimalAlb({ Port: 80 }),
      Service: {
        Type: 'AWS::ECS::Service',
        Properties: {
          LoadBalancers: [{ ContainerName: 'api', ContainerPort: 8080, TargetGroupArn: { Ref: 'Tg' } }],
        },
      },
    });
    expect(settings.targetGroup).toMatchObject({ port: 80, targetPort: 8080 });
  });

  it('accepts numbers written as strings and a fixed health-check port', () => {
    const settings = settingsOf(
      minimalAlb({ HealthCheckIntervalSeconds: '10', HealthyThresholdCount: '3', HealthCheckPort: '9000' }),
    );
    expect(settings.targetGroup.healthCheck).toMatchObject({
      intervalSeconds: 10,
      healthyThresholdCount: 3,
      port: 9000,
    });
  });

  it('fails with what is missing when there is no load balancer', () => {
    expect(errorOf(() => settingsOf({ Tg: targetGroup() })).message).toBe(
      'No AWS::ElasticLoadBalancingV2::LoadBalancer found in the cloud assembly: run `make synth` (after changing infra/) and point CLOUD_ASSEMBLY_DIR at its cdk.out',
    );
  });

  it('refuses to guess between two load balancers', () => {
    expect(errorOf(() => settingsOf({ ...minimalAlb(), Other: loadBalancer() })).message).toBe(
      'Found 2 of AWS::ElasticLoadBalancingV2::LoadBalancer (Compute/Lb, Compute/Other) in the cloud assembly; the simulated ALB needs exactly one',
    );
  });

  it('fails when no listener forwards from the load balancer', () => {
    expect(errorOf(() => settingsOf({ Lb: loadBalancer(), Tg: targetGroup() })).message).toMatch(
      /^No AWS::ElasticLoadBalancingV2::Listener forwarding from Compute\/Lb found .*make synth/,
    );
  });

  it('fails when the listener forwards to something that is not a target group in the assembly', () => {
    const message = errorOf(() =>
      settingsOf({ Lb: loadBalancer(), Listener: listener({ Ref: 'Missing' }) }),
    ).message;
    expect(message).toContain('Compute/Listener forwards to {"Ref":"Missing"}');
    expect(message).toContain('make synth');
  });

  it('rejects settings AWS would reject or that are not literal values', () => {
    expect(errorOf(() => settingsOf(minimalAlb({ Matcher: { HttpCode: '2xx' } }))).message).toBe(
      'Matcher HttpCode "2xx" is not a code, a range or a list like "200,202"',
    );
    expect(
      errorOf(() => settingsOf(minimalAlb({ HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 5 })))
        .message,
    ).toBe('Compute/Tg: HealthCheckTimeoutSeconds (5) must be smaller than HealthCheckIntervalSeconds (5)');
    expect(
      errorOf(() => settingsOf(minimalAlb({ HealthCheckPath: { Ref: 'PathParameter' } }))).message,
    ).toMatch(/^Compute\/Tg HealthCheckPath is \{"Ref":"PathParameter"\}, not a literal value/);
    expect(errorOf(() => settingsOf(minimalAlb({ Port: undefined }))).message).toMatch(
      /^Compute\/Tg has no Port/,
    );
  });
});

describe('httpCodeMatcher', () => {
  it.each([
    ['200', 200, true],
    ['200', 204, false],
    ['200-299', 204, true],
    ['200-299', 299, true],
    ['200-299', 300, false],
    ['200,202', 202, true],
    ['200,202', 201, false],
    ['200, 300-302', 301, true],
  ])('%s matches %i: %s', (spec, status, expected) => {
    expect(httpCodeMatcher(spec)(status)).toBe(expected);
  });

  it('rejects an inverted range', () => {
    expect(() => httpCodeMatcher('299-200')).toThrow('Matcher HttpCode "299-200" has an empty range 299-200');
  });
});
