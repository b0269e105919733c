import { z } from 'zod';

export const MIN_NUMBERS = 2;
export const MAX_NUMBERS = 100;

const sumRequestSchema = z.object(
  {
    numbers: z
      .array(z.number({ error: 'must be a finite number' }), {
        error: (issue) => (issue.input === undefined ? 'is required' : 'must be an array of numbers'),
      })
      .min(MIN_NUMBERS, `must contain at least ${MIN_NUMBERS} numbers`)
      .max(MAX_NUMBERS, `must contain at most ${MAX_NUMBERS} numbers`),
  },
  { error: 'must be a JSON object with a "numbers" array' },
);

export type SumOutcome = { ok: true; numbers: number[]; sum: number } | { ok: false; message: string };

/** `numbers[3]` for the path ["numbers", 3]; "request body" for the root. */
function describePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'request body';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index ? '.' : ''}${String(part)}`))
    .join('');
}

/**
 * Validates a parsed JSON body and adds its numbers. Shared by the service and the benchmark's
 * bare server so both do the same work.
 */
export function evaluateSumRequest(body: unknown): SumOutcome {
  const parsed = sumRequestSchema.safeParse(body);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    return { ok: false, message: `${describePath(issue.path)} ${issue.message}` };
  }
  const { numbers } = parsed.data;
  const sum = compensatedSum(numbers);
  if (!Number.isFinite(sum)) {
    return { ok: false, message: 'the sum of numbers overflows a 64-bit float' };
  }
  return { ok: true, numbers, sum };
}

/**
 * Neumaier summation: keeps the low-order bits that plain addition drops, so
 * [1e16, 1, -1e16] sums to 1 rather than 0.
 */
export function compensatedSum(values: readonly number[]): number {
  let sum = 0;
  let compensation = 0;
  for (const value of values) {
    const next = sum + value;
    compensation += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
    sum = next;
  }
  return sum + compensation;
}
