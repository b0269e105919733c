import { promises as dns } from 'node:dns';
import type { TargetRegistry } from './targets';

/** Resolves a host name to the IPv4 addresses of every instance behind it. */
export type ResolveHost = (host: string) => Promise<string[]>;

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA']);

// Bounded so that an unreachable DNS server delays a lookup by seconds, not by c-ares' default minute.
const resolver = new dns.Resolver({ timeout: 1000, tries: 2 });

/**
 * Every IPv4 address of a host, like a Cloud Map lookup: compose DNS answers a service name
 * with one A record per replica. Falls back to the system resolver (hosts file, IP literals);
 * a name nobody knows means no instances, while other failures throw so that a DNS hiccup
 * does not deregister every target.
 */
export async function resolveIpv4(host: string): Promise<string[]> {
  try {
    return await resolver.resolve4(host);
  } catch {
    try {
      const addresses = await dns.lookup(host, { all: true, family: 4 });
      return addresses.map(({ address }) => address);
    } catch (error) {
      if (NOT_FOUND.has((error as NodeJS.ErrnoException).code ?? '')) return [];
      throw error;
    }
  }
}

export interface TargetDiscoveryOptions {
  readonly host: string;
  readonly intervalSeconds: number;
  readonly registry: TargetRegistry;
  readonly resolve?: ResolveHost;
  /** Told when a lookup fails; the registered targets stay as they were. */
  readonly onError?: (error: Error) => void;
}

/**
 * Registers the addresses a host name resolves to and deregisters the ones that disappear,
 * the way ECS registers tasks with the target group as they start and stop.
 */
export class TargetDiscovery {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: TargetDiscoveryOptions) {}

  /** Resolves once the first lookup is done, then keeps looking up every interval. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.refresh();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async refresh(): Promise<void> {
    const { host, registry, resolve = resolveIpv4, onError } = this.options;
    try {
      const addresses = await resolve(host);
      if (!this.stopped) registry.reconcile([...new Set(addresses)].sort());
    } catch (error) {
      onError?.(error as Error);
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.refresh(), this.options.intervalSeconds * 1000);
    }
  }
}
