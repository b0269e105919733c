import { compensatedSum, evaluateSumRequest } from '../src/sum';

describe('evaluateSumRequest', () => {
  it('adds the numbers and echoes them', () => {
    expect(evaluateSumRequest({ numbers: [1.5, 2.5, 3] })).toEqual({
      ok: true,
      numbers: [1.5, 2.5, 3],
      sum: 7,
    });
  });

  it('accepts exactly 2 and exactly 100 numbers', () => {
    expect(evaluateSumRequest({ numbers: [1, 2] })).toMatchObject({ ok: true, sum: 3 });
    const hundred = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(evaluateSumRequest({ numbers: hundred })).toMatchObject({ ok: true, sum: 5050 });
  });

  it('ignores fields other than numbers', () => {
    expect(evaluateSumRequest({ numbers: [1, 2], note: 'x' })).toMatchObject({ ok: true, sum: 3 });
  });

  it('handles negative numbers, zero and the extremes of a double', () => {
    expect(evaluateSumRequest({ numbers: [-1, 0, 1] })).toMatchObject({ ok: true, sum: 0 });
    expect(evaluateSumRequest({ numbers: [Number.MAX_VALUE, -Number.MAX_VALUE] })).toMatchObject({
      ok: true,
      sum: 0,
    });
    expect(evaluateSumRequest({ numbers: [Number.MIN_VALUE, 0] })).toMatchObject({
      ok: true,
      sum: Number.MIN_VALUE,
    });
  });

  it.each([
    ['a body that is not an object', [1, 2], 'request body must be a JSON object with a "numbers" array'],
    ['a null body', null, 'request body must be a JSON object with a "numbers" array'],
    ['a missing numbers field', { values: [1, 2] }, 'numbers is required'],
    ['numbers that is not an array', { numbers: '1,2' }, 'numbers must be an array of numbers'],
    ['numbers that is an object', { numbers: { 0: 1, 1: 2 } }, 'numbers must be an array of numbers'],
    ['numbers that is null', { numbers: null }, 'numbers must be an array of numbers'],
    ['no numbers', { numbers: [] }, 'numbers must contain at least 2 numbers'],
    ['one number', { numbers: [1] }, 'numbers must contain at least 2 numbers'],
    ['101 numbers', { numbers: Array(101).fill(1) }, 'numbers must contain at most 100 numbers'],
    ['a string element', { numbers: [1, '2'] }, 'numbers[1] must be a finite number'],
    ['a null element', { numbers: [null, 2] }, 'numbers[0] must be a finite number'],
    ['a boolean element', { numbers: [1, 2, true] }, 'numbers[2] must be a finite number'],
    ['a nested array element', { numbers: [1, [2]] }, 'numbers[1] must be a finite number'],
    [
      'an infinite element (JSON 1e999)',
      { numbers: [1, Number.POSITIVE_INFINITY] },
      'numbers[1] must be a finite number',
    ],
    ['a NaN element', { numbers: [Number.NaN, 1] }, 'numbers[0] must be a finite number'],
    [
      'a sum that overflows',
      { numbers: [Number.MAX_VALUE, Number.MAX_VALUE] },
      'the sum of numbers overflows a 64-bit float',
    ],
    [
      'a sum that overflows below',
      { numbers: [-Number.MAX_VALUE, -1e308] },
      'the sum of numbers overflows a 64-bit float',
    ],
  ])('rejects %s', (_case, body, message) => {
    expect(evaluateSumRequest(body)).toEqual({ ok: false, message });
  });
});

describe('compensatedSum', () => {
  it('keeps the low-order bits that plain addition loses', () => {
    const values = [1e16, 1, -1e16];
    expect(values.reduce((total, value) => total + value, 0)).toBe(0);
    expect(compensatedSum(values)).toBe(1);
  });

  it('is exact for sums of decimals that plain addition gets wrong', () => {
    const values = [0.1, 0.2, 0.3, -0.6];
    expect(values.reduce((total, value) => total + value, 0)).not.toBe(compensatedSum(values));
    expect(compensatedSum([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])).toBe(1);
  });
});
