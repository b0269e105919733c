import { promises as dns } from 'node:dns';
import { resolveIpv4, TargetDiscovery } from '../../src/alb/discovery';
import { TargetRegistry } from '../../src/alb/targets';
import { waitFor } from './helpers';

describe('resolveIpv4', () => {
  afterEach(() => jest.restoreAllMocks());

  const failure = (code: string) => Object.assign(new Error(`lookup ${code}`), { code });

  it('answers with every A record of the name, like compose DNS for a scaled service', async () => {
    const resolve4 = jest
      .spyOn(dns.Resolver.prototype, 'resolve4')
      .mockResolvedValue(['172.18.0.5', '172.18.0.6']);
    await expect(resolveIpv4('api')).resolves.toEqual(['172.18.0.5', '172.18.0.6']);
    expect(resolve4).toHaveBeenCalledWith('api');
  });

  it('falls back to the system resolver for names DNS does not serve (hosts file, IP literals)', async () => {
    await expect(resolveIpv4('localhost')).resolves.toContain('127.0.0.1');
    await expect(resolveIpv4('127.0.0.7')).resolves.toEqual(['127.0.0.7']);
  });

  it('answers no addresses for a name nobody knows', async () => {
    jest.spyOn(dns.Resolver.prototype, 'resolve4').mockRejectedValue(failure('ENOTFOUND'));
    jest.spyOn(dns, 'lookup').mockRejectedValue(failure('ENOTFOUND'));
    await expect(resolveIpv4('api')).resolves.toEqual([]);
  });

  it('throws when DNS is failing rather than claiming there are no instances', async () => {
    jest.spyOn(dns.Resolver.prototype, 'resolve4').mockRejectedValue(failure('ETIMEOUT'));
    jest.spyOn(dns, 'lookup').mockRejectedValue(failure('EAI_AGAIN'));
    await expect(resolveIpv4('api')).rejects.toThrow('lookup EAI_AGAIN');
  });
});

describe('TargetDiscovery', () => {
  function setUp(answer: () => Promise<string[]>) {
    const registry = new TargetRegistry({
      port: 8080,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      deregistrationDelaySeconds: 60,
    });
    const errors: Error[] = [];
    const lookups: string[] = [];
    const discovery = new TargetDiscovery({
      host: 'api',
      intervalSeconds: 0.05,
      registry,
      resolve: (host) => {
        lookups.push(host);
        return answer();
      },
      onError: (error) => errors.push(error),
    });
    const states = () => Object.fromEntries(registry.describe().map((t) => [t.id, t.health.state]));
    return { registry, discovery, errors, lookups, states };
  }

  it('registers every address the name resolves to and drains the ones that disappear', async () => {
    let addresses = ['172.18.0.5', '172.18.0.6', '172.18.0.5'];
    const { registry, discovery, lookups, states } = setUp(async () => addresses);

    await discovery.start();
    expect(lookups).toEqual(['api']);
    expect(states()).toEqual({ '172.18.0.5': 'initial', '172.18.0.6': 'initial' });

    addresses = ['172.18.0.6', '172.18.0.7'];
    await waitFor(() => states()['172.18.0.7'] !== undefined, 1000, 'the new replica');
    expect(states()).toEqual({ '172.18.0.5': 'draining', '172.18.0.6': 'initial', '172.18.0.7': 'initial' });

    discovery.stop();
    registry.close();
  });

  it('keeps the registered targets when a lookup fails, and reports the failure', async () => {
    let fail = false;
    const { registry, discovery, errors, states } = setUp(async () => {
      if (fail) throw new Error('queryA ETIMEOUT api');
      return ['172.18.0.5'];
    });
    await discovery.start();
    fail = true;
    await waitFor(() => errors.length >= 2, 1000, 'failed lookups');

    expect(errors[0].message).toBe('queryA ETIMEOUT api');
    expect(states()).toEqual({ '172.18.0.5': 'initial' });
    discovery.stop();
    registry.close();
  });

  it('stops looking up once stopped', async () => {
    const { discovery, lookups } = setUp(async () => []);
    await discovery.start();
    discovery.stop();
    const count = lookups.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lookups.length).toBe(count);
  });
});
