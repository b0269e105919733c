/**
 * The tasks network as the simulated ALB sees it: the subnet its targets must be in (ELBv2
 * accepts only addresses of the target group's VPC for an `ip` target), and the addresses the
 * admin endpoint may listen on, which are every one of the ALB's own addresses except its
 * address on that network, so that no task can reach the admin endpoint.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';

export class Ipv4Subnet {
  private readonly block = new BlockList();
  private readonly first: number;
  private readonly last: number;

  /** `cidr` is an address with its prefix length, as `os.networkInterfaces()` gives it: `172.18.0.3/16`. */
  constructor(readonly cidr: string) {
    const [address, prefix] = cidr.split('/');
    const prefixLength = Number(prefix);
    if (!isIPv4(address) || !Number.isInteger(prefixLength) || prefixLength < 8 || prefixLength > 30) {
      throw new Error(`${cidr} is not an IPv4 subnet with a prefix length of 8 to 30`);
    }
    const mask = (0xffffffff << (32 - prefixLength)) >>> 0;
    this.first = (ipv4ToNumber(address) & mask) >>> 0;
    this.last = (this.first | ~mask) >>> 0;
    this.block.addSubnet(address, prefixLength, 'ipv4');
    this.cidr = `${numberToIpv4(this.first)}/${prefixLength}`;
  }

  /** True for a host address of the subnet: not its network or broadcast address. */
  hasHost(address: string): boolean {
    if (!isIPv4(address) || !this.block.check(address, 'ipv4')) return false;
    const value = ipv4ToNumber(address);
    return value !== this.first && value !== this.last;
  }
}

export interface TasksNetwork {
  readonly subnet: Ipv4Subnet;
  /** The ALB's addresses off the tasks network, loopback first: where the admin endpoint listens. */
  readonly adminHosts: readonly string[];
}

/**
 * Finds the tasks network from the ALB's own alias on it (a compose alias resolves only on the
 * network it is given on) and the interface that holds that address.
 */
export async function findTasksNetwork(
  alias: string,
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): Promise<TasksNetwork> {
  const { address } = await lookup(alias, { family: 4 }).catch((error: Error) => {
    throw new Error(`the ALB's alias on the tasks network, ${alias}, does not resolve: ${error.message}`);
  });
  const own = Object.values(interfaces)
    .flat()
    .filter((info) => info !== undefined && info.family === 'IPv4');
  const onTasks = own.find((info) => info?.address === address);
  if (!onTasks?.cidr) {
    throw new Error(`${alias} resolves to ${address}, which is none of this container's addresses`);
  }
  const subnet = new Ipv4Subnet(onTasks.cidr);
  const others = own
    .map((info) => info?.address as string)
    .filter((other) => other !== '127.0.0.1' && !subnet.hasHost(other));
  return { subnet, adminHosts: ['127.0.0.1', ...others] };
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}
