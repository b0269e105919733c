import type { Response } from 'supertest';
import type { ErrorCode } from '../../src/errors';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Asserts the one error shape the service uses everywhere. */
export function expectError(response: Response, status: number, code: ErrorCode, path: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body).toEqual({
    error: { code, message: expect.any(String) },
    request_id: response.headers['x-request-id'],
    path,
    timestamp: expect.stringMatching(ISO_TIMESTAMP),
  });
  expect(response.body.error.message.length).toBeGreaterThan(0);
}
