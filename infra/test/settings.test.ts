import { checkProfile, PROFILES, ProfileError, resolveProfile } from '../lib/profiles';
import {
  applySettings,
  contextFromEnvironment,
  EXAMPLE_SETTINGS,
  formatImageReference,
  parseImageReference,
  readSettings,
  settingsAsCdkArguments,
  settingsAsContext,
} from '../lib/settings';
import { synthesizePlatform } from '../lib/synthesize';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const CERTIFICATE = 'arn:aws:acm:eu-west-3:111122223333:certificate/00000000-0000-4000-8000-000000000000';

describe('readSettings', () => {
  test('reads every setting from the context, the address lists comma-separated or as lists', () => {
    // GIVEN a context
    const context: Record<string, unknown> = {
      prefix: 'zama-integ-1a2b3c',
      account: '111122223333',
      alertsEmail: ' ops@example.com ',
      certificateArn: CERTIFICATE,
      domainName: 'api.example.com',
      kongKonnectCidrs: '192.0.2.1/32, 192.0.2.2/32',
      adminCidrs: ['198.51.100.7/32'],
      apiImage: 'zama/api:1.2.3',
    };
    // WHEN
    const settings = readSettings((key) => context[key]);
    // THEN
    expect(settings).toEqual({
      prefix: 'zama-integ-1a2b3c',
      account: '111122223333',
      alertsEmail: 'ops@example.com',
      certificateArn: CERTIFICATE,
      domainName: 'api.example.com',
      kongKonnectCidrs: ['192.0.2.1/32', '192.0.2.2/32'],
      adminCidrs: ['198.51.100.7/32'],
      apiImage: 'zama/api:1.2.3',
    });
    // and they round-trip through the context and the CLI arguments
    expect(readSettings((key) => settingsAsContext(settings)[key])).toEqual(settings);
    expect(settingsAsCdkArguments({ alertsEmail: 'ops@example.com', adminCidrs: ['a', 'b'] })).toEqual([
      '-c',
      'alertsEmail=ops@example.com',
      '-c',
      'adminCidrs=a,b',
    ]);
  });

  test('treats a blank value as unset', () => {
    // GIVEN blank values
    const context: Record<string, unknown> = { alertsEmail: '  ', adminCidrs: ' , ' };
    // WHEN / THEN
    expect(readSettings((key) => context[key])).toEqual({});
  });

  test('takes from the environment only what the context does not set', () => {
    // GIVEN -c alertsEmail and ALERTS_EMAIL, CERTIFICATE_ARN
    const context: Record<string, unknown> = { alertsEmail: 'context@example.com' };
    const env = { ALERTS_EMAIL: 'env@example.com', CERTIFICATE_ARN: CERTIFICATE, ADMIN_CIDRS: '' };
    // WHEN
    const fromEnvironment = contextFromEnvironment(env, (key) => context[key]);
    // THEN the context wins, a blank variable is unset
    expect(fromEnvironment).toEqual({ certificateArn: CERTIFICATE });
  });
});

describe('image references', () => {
  test.each([
    ['zama/api', { repository: 'zama/api' }, 'zama/api:latest'],
    ['zama/api:1.2.3', { repository: 'zama/api', tag: '1.2.3' }, 'zama/api:1.2.3'],
    [
      `registry.example.com:5000/zama/api:1.2.3@${DIGEST}`,
      { repository: 'registry.example.com:5000/zama/api', tag: '1.2.3', digest: DIGEST },
      `registry.example.com:5000/zama/api@${DIGEST}`,
    ],
    ['localhost:5000/api', { repository: 'localhost:5000/api' }, 'localhost:5000/api:latest'],
  ])('%s', (reference, parsed, formatted) => {
    // GIVEN / WHEN / THEN: a digest pins the image and wins over the tag
    expect(parseImageReference(reference)).toEqual(parsed);
    expect(formatImageReference(parseImageReference(reference))).toBe(formatted);
  });
});

describe('resolveProfile: deployment settings a profile needs', () => {
  test('the dev profile refuses to synthesize without an alerts e-mail and says how to give it', () => {
    // GIVEN the dev profile and no settings
    // WHEN / THEN
    expect(() => resolveProfile(PROFILES.dev)).toThrow(ProfileError);
    expect(() => resolveProfile(PROFILES.dev)).toThrow(
      'Invalid profile "dev":\n' +
        '  - alerts.email is required for the dev profile, so that alarms reach a person: give it with -c alertsEmail=<address> or ALERTS_EMAIL=<address>',
    );
  });

  test('the prod profile requires an e-mail and a certificate, one line each', () => {
    // GIVEN the prod profile and no settings
    // WHEN
    const { problems } = checkProfile(PROFILES.prod);
    // THEN
    expect(problems).toEqual([
      'alerts.email is required for the prod profile, so that alarms reach a person: give it with -c alertsEmail=<address> or ALERTS_EMAIL=<address>',
      'tls.certificateArn is required for the prod profile, whose load balancer serves HTTPS only: give an ACM certificate of eu-west-3 with -c certificateArn=arn:aws:acm:eu-west-3:<account>:certificate/<id> or CERTIFICATE_ARN=arn:aws:acm:eu-west-3:<account>:certificate/<id>',
    ]);
  });

  test('the local profile needs no setting', () => {
    // GIVEN / WHEN / THEN
    expect(checkProfile(PROFILES.local).problems).toEqual([]);
  });

  test('applies the settings over the profile', () => {
    // GIVEN dev and settings
    // WHEN
    const profile = resolveProfile(PROFILES.dev, {
      alertsEmail: 'ops@example.com',
      adminCidrs: ['198.51.100.7/32'],
      apiImage: `zama/api@${DIGEST}`,
      certificateArn: CERTIFICATE,
      account: '111122223333',
    });
    // THEN
    expect(profile.alerts.email).toBe('ops@example.com');
    expect(profile.ingress).toEqual({
      kongKonnectCidrs: ['205.234.240.62/32'],
      adminCidrs: ['198.51.100.7/32'],
    });
    expect(profile.service.image).toEqual({ repository: 'zama/api', digest: DIGEST });
    expect(profile.tls).toEqual({ required: false, certificateArn: CERTIFICATE });
    expect(profile.account).toBe('111122223333');
    // and leaves the profile itself alone
    expect(PROFILES.dev.alerts.email).toBeUndefined();
  });

  test('collects every bad setting, one line each naming the setting', () => {
    // GIVEN one mistake per setting
    const settings = {
      alertsEmail: 'ops',
      certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-4000-8000-000000000000',
      domainName: 'not a host',
      adminCidrs: ['198.51.100.7'],
      kongKonnectCidrs: ['0.0.0.0/0'],
      apiImage: 'zama/api@sha256:abc',
      account: '1234',
    };
    // WHEN
    const { problems } = checkProfile(PROFILES.prod, settings);
    // THEN
    expect(problems).toEqual([
      'account "1234" is not a 12-digit AWS account id (-c account / PLATFORM_ACCOUNT)',
      'ingress.kongKonnectCidrs: 0.0.0.0/0 would open the load balancer to the whole internet (-c kongKonnectCidrs / KONG_KONNECT_CIDRS)',
      'ingress.adminCidrs: "198.51.100.7" is not an IPv4 CIDR block (-c adminCidrs / ADMIN_CIDRS)',
      'tls.certificateArn is a certificate of us-east-1, but the load balancer is in eu-west-3 and needs one of its own region (-c certificateArn / CERTIFICATE_ARN)',
      'tls.domainName "not a host" is not a host name (-c domainName / API_DOMAIN_NAME)',
      'service.image "zama/api@sha256:abc": "sha256:abc" is not an image digest (sha256: and 64 lower-case hexadecimal digits) (-c apiImage / PLATFORM_API_IMAGE)',
      'alerts.email "ops" is not an e-mail address (-c alertsEmail / ALERTS_EMAIL)',
    ]);
  });

  test.each<[string, Parameters<typeof checkProfile>[1], string]>([
    [
      'a certificate that is no ACM ARN',
      { certificateArn: 'arn:aws:iam::111122223333:server-certificate/api' },
      'tls.certificateArn "arn:aws:iam::111122223333:server-certificate/api" is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) (-c certificateArn / CERTIFICATE_ARN)',
    ],
    [
      "a certificate of another account than the profile's",
      { certificateArn: CERTIFICATE, account: '444455556666' },
      "tls.certificateArn belongs to account 111122223333, not to the profile's account 444455556666 (-c certificateArn / CERTIFICATE_ARN)",
    ],
    [
      'a domain name without a certificate',
      { domainName: 'api.example.com' },
      'tls.domainName is only used with a certificate: give tls.certificateArn too (-c certificateArn=arn:aws:acm:<region>:<account>:certificate/<id> or CERTIFICATE_ARN=arn:aws:acm:<region>:<account>:certificate/<id>)',
    ],
    [
      'an image tag Docker rejects',
      { apiImage: 'zama/api:-bad' },
      'service.image "zama/api:-bad": "-bad" is not an image tag (-c apiImage / PLATFORM_API_IMAGE)',
    ],
    [
      'a repository name Docker rejects',
      { apiImage: 'Zama/API:1' },
      'service.image "Zama/API:1": "Zama/API" is not a repository name (-c apiImage / PLATFORM_API_IMAGE)',
    ],
    [
      'a prefix too long for the target group of the local profile',
      { prefix: 'zama-api-platform-integration' },
      'prefix "zama-api-platform-integration" must be 2-25 lower-case letters, digits or hyphens, starting with a letter (-c prefix / PLATFORM_PREFIX)',
    ],
  ])('rejects %s', (_, settings, problem) => {
    // GIVEN dev with its e-mail and the bad setting
    // WHEN
    const { problems } = checkProfile(PROFILES.dev, { ...EXAMPLE_SETTINGS.dev, ...settings });
    // THEN
    expect(problems).toEqual([problem]);
  });

  test('synthesis fails with the same message when the context lacks a required setting', () => {
    // GIVEN the prod profile, an e-mail but no certificate in the context
    // WHEN
    const synthesize = () => synthesizePlatform('prod', { context: { alertsEmail: 'ops@example.com' } });
    // THEN
    expect(synthesize).toThrow(/tls\.certificateArn is required for the prod profile/);
  });

  test('applySettings changes nothing without settings', () => {
    // GIVEN / WHEN / THEN
    expect(applySettings(PROFILES.dev, {})).toEqual(PROFILES.dev);
  });
});
