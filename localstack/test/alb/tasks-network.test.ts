import type { NetworkInterfaceInfo } from 'node:os';
import { findTasksNetwork, Ipv4Subnet } from '../../src/alb/tasks-network';

const ipv4 = (address: string, cidr: string): NetworkInterfaceInfo => ({
  address,
  cidr,
  family: 'IPv4',
  internal: address.startsWith('127.'),
  mac: '02:42:ac:11:00:02',
  netmask: '255.255.0.0',
});

describe('Ipv4Subnet', () => {
  const subnet = new Ipv4Subnet('172.20.0.3/16');

  it('is the network of the address it is given', () => {
    expect(subnet.cidr).toBe('172.20.0.0/16');
  });

  it.each([
    ['172.20.0.2', true],
    ['172.20.255.254', true],
    ['172.20.0.0', false],
    ['172.20.255.255', false],
    ['172.21.0.2', false],
    ['172.20.0.02', false],
    [' 172.20.0.2', false],
    ['172.20.0.2/32', false],
    ['::ffff:172.20.0.2', false],
  ])('%s is a host of 172.20.0.0/16: %s', (address, expected) => {
    expect(subnet.hasHost(address)).toBe(expected);
  });

  it.each(['172.20.0.3', '172.20.0.3/7', '172.20.0.3/31', 'tasks/16'])('refuses %s', (cidr) => {
    expect(() => new Ipv4Subnet(cidr)).toThrow('is not an IPv4 subnet with a prefix length of 8 to 30');
  });
});

describe('findTasksNetwork', () => {
  // An ALB container on compose's default network (eth0) and on the tasks network (eth1).
  const interfaces = {
    lo: [ipv4('127.0.0.1', '127.0.0.1/8')],
    eth0: [ipv4('172.19.0.4', '172.19.0.4/16')],
    eth1: [ipv4('172.20.0.3', '172.20.0.3/16')],
  };

  it("takes the subnet of the alias's interface, and every other address for the admin endpoint", async () => {
    // An address literal resolves to itself, as the alias resolves to the ALB's tasks address.
    const network = await findTasksNetwork('172.20.0.3', interfaces);
    expect(network.subnet.cidr).toBe('172.20.0.0/16');
    expect(network.adminHosts).toEqual(['127.0.0.1', '172.19.0.4']);
  });

  it('says so when the alias is none of the addresses of this container', async () => {
    await expect(findTasksNetwork('172.21.0.9', interfaces)).rejects.toThrow(
      '172.21.0.9 resolves to 172.21.0.9, which is none of this container',
    );
  });
});
