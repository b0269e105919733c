/**
 * The part of Kong's declarative (decK) format the gateway uses, as a schema: a file outside
 * it is refused here, with every problem named, rather than by Kong at start-up.
 */
import { parse } from 'yaml';
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9._~-]+$/, 'must be letters, digits, ".", "_", "~" or "-"');

const keyAuth = z
  .object({
    name: z.literal('key-auth'),
    config: z
      .object({
        key_names: z.array(z.string().min(1)).min(1),
        key_in_header: z.boolean(),
        key_in_query: z.boolean(),
        key_in_body: z.boolean(),
        hide_credentials: z.boolean(),
      })
      .strict(),
  })
  .strict();

const rateLimiting = z
  .object({
    name: z.literal('rate-limiting'),
    config: z
      .object({
        minute: z.number().int().positive(),
        limit_by: z.enum(['consumer', 'credential', 'ip']),
        policy: z.enum(['local', 'cluster', 'redis']),
        hide_client_headers: z.boolean(),
      })
      .strict(),
  })
  .strict();

const requestSizeLimiting = z
  .object({
    name: z.literal('request-size-limiting'),
    config: z
      .object({
        allowed_payload_size: z.number().int().positive(),
        size_unit: z.enum(['bytes', 'kilobytes', 'megabytes']),
        require_content_length: z.boolean(),
      })
      .strict(),
  })
  .strict();

const plugin = z.discriminatedUnion('name', [keyAuth, rateLimiting, requestSizeLimiting]);

const route = z
  .object({
    name,
    // Kong reads a path starting with "~" as a regular expression, any other as a prefix.
    paths: z.array(z.string().regex(/^~?\//, 'must start with "/" (or "~/" for a regex)')).min(1),
    methods: z
      .array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']))
      .min(1)
      .optional(),
    strip_path: z.boolean(),
    plugins: z.array(plugin).optional(),
  })
  .strict();

const service = z
  .object({
    name,
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    routes: z.array(route).min(1),
  })
  .strict();

const consumer = z
  .object({
    username: name,
    keyauth_credentials: z.array(z.object({ key: z.string().min(1) }).strict()).min(1),
  })
  .strict();

export const deckFileSchema = z
  .object({
    _format_version: z.literal('3.0'),
    services: z.array(service).min(1),
    consumers: z.array(consumer).optional(),
  })
  .strict()
  .superRefine((file, context) => {
    const duplicates = (values: string[]) => values.filter((value, index) => values.indexOf(value) !== index);
    for (const duplicate of duplicates(file.services.map((entry) => entry.name))) {
      context.addIssue({
        code: 'custom',
        path: ['services'],
        message: `service ${duplicate} is declared twice`,
      });
    }
    const routes = file.services.flatMap((entry) => entry.routes);
    for (const duplicate of duplicates(routes.map((entry) => entry.name))) {
      context.addIssue({
        code: 'custom',
        path: ['services'],
        message: `route ${duplicate} is declared twice`,
      });
    }
    for (const entry of routes) {
      for (const duplicate of duplicates((entry.plugins ?? []).map((item) => item.name))) {
        context.addIssue({
          code: 'custom',
          path: ['services'],
          message: `route ${entry.name} enables plugin ${duplicate} twice`,
        });
      }
    }
    const consumers = file.consumers ?? [];
    for (const duplicate of duplicates(consumers.map((entry) => entry.username))) {
      context.addIssue({
        code: 'custom',
        path: ['consumers'],
        message: `consumer ${duplicate} is declared twice`,
      });
    }
    // Named by consumer, never by value: the values are API keys.
    const owners = new Map<string, string>();
    for (const entry of consumers) {
      for (const { key } of entry.keyauth_credentials) {
        const owner = owners.get(key);
        if (owner !== undefined) {
          context.addIssue({
            code: 'custom',
            path: ['consumers'],
            message: `consumers ${owner} and ${entry.username} have the same key; every consumer needs its own`,
          });
        }
        owners.set(key, entry.username);
      }
    }
  });

export type DeckFile = z.infer<typeof deckFileSchema>;
export type DeckRoute = DeckFile['services'][number]['routes'][number];
export type DeckPlugin = NonNullable<DeckRoute['plugins']>[number];
export type DeckConsumer = NonNullable<DeckFile['consumers']>[number];

export class DeckFileError extends Error {
  override readonly name = 'DeckFileError';
}

/** Parses and checks a decK file (YAML or JSON); `source` names it in the error. */
export function parseDeckFile(text: string, source: string): DeckFile {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new DeckFileError(`${source} is not valid YAML: ${(error as Error).message}`);
  }
  return checkDeckFile(document, source);
}

/** Checks a decK document; the error lists every problem with where it is. */
export function checkDeckFile(document: unknown, source: string): DeckFile {
  const result = deckFileSchema.safeParse(document);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  throw new DeckFileError(
    `${source} is not a decK file the gateway can use:\n  - ${problems.join('\n  - ')}\n` +
      'Fix it against localstack/src/gateway/deck-file.ts (the decK subset the gateway uses).',
  );
}

/** The plugin of that name on a route, if the route enables it. */
export function routePlugin<N extends DeckPlugin['name']>(
  route: DeckRoute,
  pluginName: N,
): Extract<DeckPlugin, { name: N }> | undefined {
  return route.plugins?.find((entry): entry is Extract<DeckPlugin, { name: N }> => entry.name === pluginName);
}
