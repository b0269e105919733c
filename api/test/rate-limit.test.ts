import { FixedWindowCounter } from '../src/middleware/rate-limit';

describe('FixedWindowCounter', () => {
  it('counts per key within a window that starts with the key’s first request', () => {
    const counter = new FixedWindowCounter(60_000);
    expect(counter.count('a', 1_000)).toEqual({ count: 1, resetsAt: 61_000 });
    expect(counter.count('a', 30_000)).toEqual({ count: 2, resetsAt: 61_000 });
    expect(counter.count('b', 30_000)).toEqual({ count: 1, resetsAt: 90_000 });
    expect(counter.count('a', 60_999)).toEqual({ count: 3, resetsAt: 61_000 });
  });

  it('starts a new window, counting from one, once the previous one has ended', () => {
    const counter = new FixedWindowCounter(60_000);
    counter.count('a', 0);
    counter.count('a', 1);
    expect(counter.count('a', 60_000)).toEqual({ count: 1, resetsAt: 120_000 });
    expect(counter.count('a', 200_000)).toEqual({ count: 1, resetsAt: 260_000 });
  });
});
