import { isoNow } from '../src/clock';

describe('isoNow', () => {
  afterEach(() => jest.useRealTimers());

  it('is the current time as toISOString writes it, following the clock', () => {
    jest.useFakeTimers({ now: Date.parse('2026-11-25T21:17:53.951Z') });
    expect(isoNow()).toBe('2026-11-25T21:17:53.951Z');
    expect(isoNow()).toBe('2026-11-25T21:17:53.951Z');
    jest.advanceTimersByTime(1);
    expect(isoNow()).toBe('2026-11-25T21:17:53.952Z');
    jest.setSystemTime(Date.parse('2027-01-01T00:00:00.000Z'));
    expect(isoNow()).toBe('2027-01-01T00:00:00.000Z');
  });
});
