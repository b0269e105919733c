/**
 * The token that guards the simulated ALB's target registration: `scripts/alb-admin-token.sh`
 * writes it into .local/alb-admin-token, compose hands that file to the ALB and the scheduler
 * as a secret, and both read it from the file a variable names.
 */
import { readFileSync } from 'node:fs';

const MIN_TOKEN_LENGTH = 16;

export function readAdminToken(variable: string, env: NodeJS.ProcessEnv): string {
  const file = env[variable]?.trim();
  if (!file) {
    throw new Error(
      `${variable} is not set: point it at the ALB's admin token (compose.yaml does; make local-up writes .local/alb-admin-token)`,
    );
  }
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(`${variable}=${file} cannot be read: ${(error as Error).message}`);
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new Error(
      `${variable}=${file} holds no token of ${MIN_TOKEN_LENGTH} characters or more; scripts/alb-admin-token.sh writes one`,
    );
  }
  return token;
}
