import { eventLoopDelayCheck, heapCheck, runHealthChecks } from '../src/health';

function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy-wait: the point is to keep the event loop from turning
  }
}

const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('health checks', () => {
  it('event_loop passes while the loop turns promptly', async () => {
    const check = eventLoopDelayCheck(1000);
    check.run();
    await nextTurn();
    expect(check.run()).toMatchObject({ healthy: true, limit_ms: 1000 });
  });

  it('event_loop fails after the loop was blocked longer than its limit', async () => {
    const check = eventLoopDelayCheck(30);
    check.run();
    await nextTurn();
    blockEventLoop(150);
    await nextTurn();
    const result = await check.run();
    expect(result.healthy).toBe(false);
    expect(result.max_delay_ms).toBeGreaterThan(30);
  });

  it('heap passes below its limit and fails above it', () => {
    expect(heapCheck(0.95).run()).toMatchObject({ healthy: true, limit_ratio: 0.95 });
    expect(heapCheck(0).run()).toMatchObject({ healthy: false });
  });

  it('runHealthChecks is healthy only when every check is, and reports a throwing check as failed', async () => {
    const pass = { name: 'pass', run: () => ({ healthy: true }) };
    const fail = { name: 'fail', run: () => ({ healthy: false, reason: 'down' }) };
    const boom = {
      name: 'boom',
      run: async () => {
        throw new Error('dependency unreachable');
      },
    };
    expect(await runHealthChecks([pass])).toEqual({ healthy: true, results: { pass: { healthy: true } } });
    expect(await runHealthChecks([pass, fail])).toEqual({
      healthy: false,
      results: { pass: { healthy: true }, fail: { healthy: false, reason: 'down' } },
    });
    expect(await runHealthChecks([boom])).toEqual({
      healthy: false,
      results: { boom: { healthy: false, error: 'dependency unreachable' } },
    });
  });
});
