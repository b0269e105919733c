/**
 * Loading a new configuration into a running DB-less Kong, against a stand-in for its admin API.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayAdminError, loadIntoGateway } from '../../src/gateway/admin';
import {
  consumersFromSecret,
  gatewayConfigYaml,
  readGatewayTemplate,
  renderGatewayConfig,
} from '../../src/gateway/render';

const config = renderGatewayConfig(readGatewayTemplate(), {
  consumers: consumersFromSecret('{"api_key_demo":"the-secret-key"}', 'api-keys'),
});
const yaml = gatewayConfigYaml(config, 'api-keys');

interface Received {
  method?: string;
  path?: string;
  contentType?: string;
  body: string;
}

/** An admin API that answers every request with the given status and body, recording the last. */
async function adminApi(
  status: number,
  body: string,
): Promise<{ url: string; received: Received; server: Server }> {
  const received: Received = { body: '' };
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    Object.assign(received, {
      method: req.method,
      path: req.url,
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('loadIntoGateway', () => {
  it('posts the rendered file to /config, as Kong expects it', async () => {
    const admin = await adminApi(201, '{}');
    servers.push(admin.server);

    await loadIntoGateway(admin.url, config, yaml);

    expect(admin.received).toMatchObject({
      method: 'POST',
      path: '/config',
      contentType: 'application/json',
    });
    expect(JSON.parse(admin.received.body)).toEqual({ config: yaml });
  });

  it('reports a refused configuration with Kong reasons, without the keys it quotes', async () => {
    const refusal = JSON.stringify({
      message: 'declarative config is invalid: {consumers={{keyauth_credentials={{key="the-secret-key"}}}}}',
    });
    const admin = await adminApi(400, refusal);
    servers.push(admin.server);

    const load = loadIntoGateway(admin.url, config, yaml);

    await expect(load).rejects.toThrow(GatewayAdminError);
    await expect(load).rejects.toThrow(
      /refused the configuration \(HTTP 400\).*declarative config is invalid/,
    );
    await expect(load).rejects.toThrow(/keeps enforcing the previous one/);
    await expect(load).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('the-secret-key') }),
    );
  });

  it('says where it looked when no gateway answers', async () => {
    const admin = await adminApi(201, '{}');
    await new Promise((resolve) => admin.server.close(resolve));

    await expect(loadIntoGateway(admin.url, config, yaml)).rejects.toThrow(
      new RegExp(`no gateway admin API answers at ${admin.url}/config .*compose profile "gateway"`),
    );
  });
});
