/**
 * compose.yaml runs the gateway the way the issue and the seed want it: optional (its image is
 * not everywhere), DB-less on the rendered file, only its proxy published, in front of the ALB.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadAlbSettings } from '../../src/alb/settings';
import { readGatewayTemplate } from '../../src/gateway/render';
import { assemblyDirOf } from '../templates';

interface ComposeService {
  image?: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(join(__dirname, '..', '..', '..', 'compose.yaml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService> };
const { gateway, 'gateway-config': gatewayConfig } = compose.services;
const environment = gateway.environment ?? {};
/** `${NAME:-default}` -> [NAME, default]. */
const variable = (value: string) => /^\$\{([A-Z_]+):-([^}]*)\}(.*)$/.exec(value)?.slice(1) ?? [];

describe('compose.yaml gateway services', () => {
  it('start only with the gateway profile, so the platform comes up where the Kong image is missing', () => {
    const inProfile = Object.entries(compose.services)
      .filter(([, service]) => service.profiles?.includes('gateway'))
      .map(([name]) => name);
    expect(inProfile.sort()).toEqual(['gateway', 'gateway-config']);
  });

  it('run an image the user can choose with KONG_IMAGE', () => {
    const [name, fallback] = variable(gateway.image ?? '');
    expect(name).toBe('KONG_IMAGE');
    expect(fallback).toMatch(/^kong\/kong-gateway:3\.\d+$/);
  });

  it('run Kong without a database, on the file gateway-config renders', () => {
    expect(environment.KONG_DATABASE).toBe('off');
    expect(environment.KONG_DECLARATIVE_CONFIG).toBe(gatewayConfig.environment?.GATEWAY_CONFIG_FILE);
    expect(gatewayConfig.command).toEqual(['node', 'localstack/dist/bin/gateway-config.js']);
    expect(gateway.depends_on?.['gateway-config']).toEqual({ condition: 'service_completed_successfully' });
  });

  it('publish the proxy on localhost:8000 (GATEWAY_PUBLISH) and never the admin API', () => {
    expect(gateway.ports).toHaveLength(1);
    expect(variable(gateway.ports?.[0] ?? '')).toEqual(['GATEWAY_PUBLISH', '127.0.0.1:8000', ':8000']);
    expect(environment.KONG_PROXY_LISTEN).toMatch(/:8000$/);
    const adminPort = /:(\d+)$/.exec(environment.KONG_ADMIN_LISTEN ?? '')?.[1];
    expect(adminPort).toBeDefined();
    expect((gateway.ports ?? []).some((spec) => spec.endsWith(`:${adminPort}`))).toBe(false);
  });

  it('refresh the secrets file the api tasks read when keys are reloaded', () => {
    const tasksFile = compose.services.deploy.environment?.TASK_SECRETS_FILE;
    expect(gatewayConfig.environment?.TASK_SECRETS_FILE).toBe(tasksFile);
    expect(compose.services.api.command).toContain(tasksFile);
  });

  it('read the rendered file, and the API keys in it, without being able to change it', () => {
    expect(gateway.volumes).toEqual(['platform:/platform:ro']);
  });
});

describe('the gateway and the simulated ALB', () => {
  const alb = loadAlbSettings(assemblyDirOf('local'));
  const upstream = new URL(readGatewayTemplate().services[0].url);

  it('forwards to the ALB service on its listener port', () => {
    expect(upstream.hostname).toBe('alb');
    expect(Number(upstream.port)).toBe(alb.listener.port);
    expect(gateway.depends_on?.alb).toEqual({ condition: 'service_healthy' });
  });

  it('drops idle connections to the ALB before the ALB does, so it never reuses one being closed', () => {
    expect(Number(environment.KONG_UPSTREAM_KEEPALIVE_IDLE_TIMEOUT)).toBeLessThan(
      alb.loadBalancer.idleTimeoutSeconds,
    );
  });
});
