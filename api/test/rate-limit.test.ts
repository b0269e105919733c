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

  it('peeks at an open window without counting, and sees none once it has ended', () => {
    const counter = new FixedWindowCounter(60_000);
    expect(counter.peek('a', 0)).toBeUndefined();
    counter.count('a', 0);
    expect(counter.peek('a', 59_999)).toEqual({ count: 1, resetsAt: 60_000 });
    expect(counter.peek('a', 60_000)).toBeUndefined();
  });

  it('keeps at most maxKeys windows, dropping the one opened longest ago', () => {
    const counter = new FixedWindowCounter(60_000, 2);
    counter.count('a', 0);
    counter.count('b', 1);
    counter.count('a', 70_000); // a's window reopens: now b's is the oldest
    counter.count('c', 70_001);
    expect(counter.peek('b', 70_002)).toBeUndefined();
    expect(counter.peek('a', 70_002)).toEqual({ count: 1, resetsAt: 130_000 });
    expect(counter.peek('c', 70_002)).toEqual({ count: 1, resetsAt: 130_001 });
  });
});
