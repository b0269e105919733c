import { z } from 'zod';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface Config {
  port: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  nodeEnv: string;
  /** API key name -> key value, as injected by ECS from Secrets Manager. */
  apiKeys: ReadonlyMap<string, string>;
  authDisabled: boolean;
  /** Serves PUT/GET /_local/fault, which makes this process fail on purpose; local profile only. */
  faultInjectionEnabled: boolean;
  rateLimitPerMinute: number;
  /** Failed authentications a minute from one client address before it gets 429. */
  authFailuresPerMinute: number;
  shutdownGraceMs: number;
  bodyLimitBytes: number;
}

/** Thrown by loadConfig; its message is the single line printed before exiting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const integer = (min: number, max: number, fallback: number) => {
  const allowed = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, allowed)
    .transform(Number)
    .pipe(z.number().int().min(min, allowed).max(max, allowed))
    .default(fallback);
};

const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;

const flag = () =>
  z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true');

const API_KEYS_SHAPE =
  'must be a JSON object of key names to non-empty key values, e.g. {"api_key_demo":"..."}';

// Key values are secrets: no message built here may echo the variable's content.
const apiKeys = z
  .string()
  .transform((raw, context) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: API_KEYS_SHAPE });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(z.string().min(1, API_KEYS_SHAPE), z.string({ error: API_KEYS_SHAPE }).min(1, API_KEYS_SHAPE), {
      error: API_KEYS_SHAPE,
    }),
  )
  .optional();

const environmentSchema = z
  .object({
    PORT: integer(0, 65535, 8080),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: oneOf(LOG_LEVELS) }).default('info'),
    LOG_FORMAT: z.enum(LOG_FORMATS, { error: oneOf(LOG_FORMATS) }).default('json'),
    NODE_ENV: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a lower-case name such as development or production')
      .default('development'),
    API_KEYS: apiKeys,
    AUTH_DISABLED: flag(),
    FAULT_INJECTION_ENABLED: flag(),
    RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000, 600),
    AUTH_FAILURES_PER_MINUTE: integer(1, 10_000, 20),
    SHUTDOWN_GRACE_MS: integer(100, 600_000, 20_000),
    BODY_LIMIT_BYTES: integer(64, 10_485_760, 16_384),
  })
  .superRefine((environment, context) => {
    const hasKeys = environment.API_KEYS !== undefined && Object.keys(environment.API_KEYS).length > 0;
    if (!hasKeys && !environment.AUTH_DISABLED) {
      context.addIssue({
        code: 'custom',
        path: ['API_KEYS'],
        message: `is required (${API_KEYS_SHAPE.replace('must be ', '')}); set AUTH_DISABLED=true to run without authentication`,
      });
    }
  });

/** Reads and validates the configuration; throws ConfigError naming every invalid variable. */
export function loadConfig(environment: NodeJS.ProcessEnv): Config {
  // An empty variable (`PORT=` in an env file) means "not set", so the default applies.
  const setVariables = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== ''));
  const result = environmentSchema.safeParse(setVariables);
  if (!result.success) {
    const problems = new Set(result.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`));
    throw new ConfigError(`invalid configuration: ${[...problems].join('; ')}`);
  }
  const values = result.data;
  return {
    port: values.PORT,
    logLevel: values.LOG_LEVEL,
    logFormat: values.LOG_FORMAT,
    nodeEnv: values.NODE_ENV,
    apiKeys: new Map(Object.entries(values.API_KEYS ?? {})),
    authDisabled: values.AUTH_DISABLED,
    faultInjectionEnabled: values.FAULT_INJECTION_ENABLED,
    rateLimitPerMinute: values.RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: values.AUTH_FAILURES_PER_MINUTE,
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
  };
}
