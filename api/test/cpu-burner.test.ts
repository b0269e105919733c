/** Mode cpu's burner: it uses the share of the task's CPU it is told to, and stops. */
import { CpuBurner, cpuLimitCores } from '../src/cpu-burner';

const cpuMsDuring = async (ms: number) => {
  const before = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
};

describe('cpuLimitCores', () => {
  it("reads cgroup v2's quota, as compose's cpus: 0.25 sets it", () => {
    expect(cpuLimitCores('25000 100000\n')).toBe(0.25);
  });

  it('falls back to every core without a quota', () => {
    expect(cpuLimitCores('max 100000')).toBeGreaterThanOrEqual(1);
    expect(cpuLimitCores(undefined)).toBeGreaterThanOrEqual(1);
  });
});

describe('CpuBurner', () => {
  it('burns CPU while told to and none once stopped', async () => {
    const burner = new CpuBurner();
    const idle = await cpuMsDuring(500);
    // A third of this machine's share is at least one third of a core here.
    burner.burn(34);
    const burning = await cpuMsDuring(1000);
    burner.burn(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = await cpuMsDuring(500);
    expect(burning).toBeGreaterThan(200);
    expect(stopped).toBeLessThan(idle + 100);
  });
});
