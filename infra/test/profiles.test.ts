import {
  DEFAULT_PROFILE,
  type PlatformProfile,
  PROFILE_NAMES,
  PROFILES,
  ProfileError,
  selectProfile,
  validateProfile,
} from '../lib/profiles';

describe('selectProfile', () => {
  test('prefers the context value over PLATFORM_PROFILE', () => {
    // GIVEN -c profile=dev and PLATFORM_PROFILE=prod
    // WHEN
    const profile = selectProfile('dev', 'prod');
    // THEN
    expect(profile.name).toBe('dev');
  });

  test('falls back to PLATFORM_PROFILE, then to the local profile', () => {
    // GIVEN no context value
    // WHEN / THEN
    expect(selectProfile(undefined, 'prod').name).toBe('prod');
    expect(selectProfile(undefined, undefined).name).toBe(DEFAULT_PROFILE);
    expect(selectProfile(undefined, '  ').name).toBe('local');
  });

  test('rejects an unknown profile naming the valid ones', () => {
    // GIVEN a profile that does not exist
    // WHEN / THEN
    expect(() => selectProfile('staging', undefined)).toThrow(ProfileError);
    expect(() => selectProfile(undefined, 'staging')).toThrow(
      'Unknown profile "staging": choose one of local, dev, prod (with -c profile=<name> or PLATFORM_PROFILE=<name>)',
    );
  });
});

describe('the profiles', () => {
  test.each(PROFILE_NAMES)('%s is valid', (name) => {
    // GIVEN / WHEN / THEN
    expect(validateProfile(PROFILES[name])).toBe(PROFILES[name]);
  });

  test('dev is the seed environment', () => {
    // GIVEN
    const { dev } = PROFILES;
    // WHEN / THEN
    expect(dev.prefix).toBe('zama-api-platform-dev');
    expect(dev.network).toEqual({
      vpcCidr: '10.0.0.0/16',
      availabilityZones: 2,
      publicSubnetCidrs: ['10.0.1.0/24', '10.0.2.0/24'],
      privateSubnetCidrs: ['10.0.10.0/24', '10.0.20.0/24'],
      natGateways: 2,
      restrictDefaultSecurityGroup: true,
    });
    expect(dev.ingress).toEqual({
      kongKonnectCidrs: ['205.234.240.62/32'],
      adminCidrs: ['88.181.233.30/32'],
    });
    expect(dev.service).toMatchObject({
      cpu: 256,
      memoryMiB: 512,
      minCount: 1,
      maxCount: 5,
      cpuTargetPercent: 70,
      memoryTargetPercent: 70,
    });
    expect(dev.service.containerHealthCheck).toEqual({
      intervalSeconds: 30,
      timeoutSeconds: 5,
      retries: 3,
      startPeriodSeconds: 60,
    });
    expect(dev.logRetentionDays).toBe(7);
  });

  test('local alarms within seconds and delivers alerts to an inbox', () => {
    // GIVEN
    const { local } = PROFILES;
    // WHEN / THEN
    expect(Object.values(local.alarms).every((timing) => timing.periodSeconds === 10)).toBe(true);
    expect(local.alerts).toEqual({ requireEmail: false, inbox: true });
    expect(local.network.natGateways).toBe(0);
  });

  test('only local lets the e2e suites inject faults into the API', () => {
    // GIVEN / WHEN / THEN
    expect(
      Object.fromEntries(PROFILE_NAMES.map((name) => [name, PROFILES[name].service.faultInjection])),
    ).toEqual({
      local: true,
      dev: false,
      prod: false,
    });
  });
});

describe('validateProfile', () => {
  const invalid = (change: (profile: PlatformProfile) => PlatformProfile) => () =>
    validateProfile(change(PROFILES.dev));

  test('lists every problem of an invalid profile in one message', () => {
    // GIVEN a profile with several mistakes
    const broken = invalid((profile) => ({
      ...profile,
      prefix: 'Zama_Platform',
      network: { ...profile.network, privateSubnetCidrs: ['10.0.10.0/24', '10.1.20.0/24'], natGateways: 3 },
      service: { ...profile.service, cpu: 256, memoryMiB: 4096, minCount: 6 },
    }));
    // WHEN / THEN
    expect(broken).toThrow(ProfileError);
    expect(broken).toThrow(
      [
        'Invalid profile "dev":',
        '  - prefix "Zama_Platform" must be 2-25 lower-case letters, digits or hyphens, starting with a letter (-c prefix / PLATFORM_PREFIX)',
        '  - network.privateSubnetCidrs: 10.1.20.0/24 is outside the VPC 10.0.0.0/16',
        '  - network.natGateways is 3, more than the 2 availability zones',
        '  - service.memoryMiB 4096 is not valid with cpu 256 (512, 1024, 2048)',
        '  - service counts need 1 <= minCount <= maxCount (whole numbers), got 6/5',
      ].join('\n'),
    );
  });

  test.each<[string, (profile: PlatformProfile) => PlatformProfile, RegExp]>([
    [
      'an overlapping subnet',
      (p) => ({ ...p, network: { ...p.network, privateSubnetCidrs: ['10.0.1.0/25', '10.0.20.0/24'] } }),
      /overlap/,
    ],
    [
      'a misaligned CIDR block',
      (p) => ({ ...p, network: { ...p.network, vpcCidr: '10.0.0.1/16' } }),
      /not an IPv4 CIDR block/,
    ],
    [
      'one availability zone',
      (p) => ({ ...p, network: { ...p.network, availabilityZones: 1 } }),
      /needs at least 2/,
    ],
    [
      'an ingress open to the internet',
      (p) => ({ ...p, ingress: { ...p.ingress, adminCidrs: ['0.0.0.0/0'] } }),
      /whole internet/,
    ],
    [
      'an alarm period CloudWatch rejects',
      (p) => ({ ...p, alarms: { ...p.alarms, api_cpu_high: { periodSeconds: 45, evaluationPeriods: 1 } } }),
      /10, 30 or a multiple of 60/,
    ],
    ['a retention CloudWatch Logs rejects', (p) => ({ ...p, logRetentionDays: 10 }), /logRetentionDays 10/],
    [
      'a health check timeout not below its interval',
      (p) => ({
        ...p,
        service: { ...p.service, targetHealthCheck: { ...p.service.targetHealthCheck, timeoutSeconds: 30 } },
      }),
      /below the interval/,
    ],
    [
      'fault injection outside the local profile',
      (p) => ({ ...p, service: { ...p.service, faultInjection: true } }),
      /service\.faultInjection .* only the local profile may enable it/,
    ],
    [
      'a malformed e-mail address',
      (p) => ({ ...p, alerts: { ...p.alerts, email: 'alerts' } }),
      /not an e-mail address/,
    ],
  ])('rejects %s', (_, change, message) => {
    // GIVEN / WHEN / THEN
    expect(invalid(change)).toThrow(message);
  });
});
