import { PLATFORM_LOST_MESSAGE, PlatformWatch } from '../../src/monitor/platform-watch';

describe('PlatformWatch', () => {
  it('says at once when the emulator has forgotten the platform, repeats it each minute, and sees it return', async () => {
    // GIVEN an emulator that holds the platform, restarts empty at 10 s, and is deployed again at 130 s
    const presence = new Map([
      [0, true],
      [5_000, true],
      [10_000, false],
      [40_000, false],
      [70_000, false],
      [100_000, false],
      [130_000, true],
    ]);
    let now = 0;
    const events: Record<string, unknown>[] = [];
    const watch = new PlatformWatch({
      present: async () => presence.get(now) as boolean,
      log: (event) => events.push(event),
      repeatEveryMs: 60_000,
      now: () => now,
    });

    // WHEN it checks at each of those times
    const states: string[] = [];
    for (const at of presence.keys()) {
      now = at;
      states.push(await watch.check());
    }

    // THEN
    expect(states).toEqual(['deployed', 'deployed', 'lost', 'lost', 'lost', 'lost', 'redeployed']);
    expect(events).toEqual([
      { event: 'platform-lost', level: 'error', lostForSeconds: 0, message: PLATFORM_LOST_MESSAGE },
      { event: 'platform-lost', level: 'error', lostForSeconds: 60, message: PLATFORM_LOST_MESSAGE },
      { event: 'platform-redeployed', lostForSeconds: 120 },
    ]);
    expect(PLATFORM_LOST_MESSAGE).toContain('make local-down && make local-up');
  });
});
