import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { buildTestApp, DEMO_KEY } from './support/test-app';

/** Sends raw bytes, half-closes the socket, and returns what the server wrote back. */
async function sendRaw(server: Server, payload: string): Promise<string> {
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    received += chunk;
  });
  const closed = new Promise((resolve) => socket.on('close', resolve));
  socket.write(payload);
  // Let the server start reading the body before the client gives up on it.
  setTimeout(() => socket.end(), 50);
  await closed;
  return received;
}

describe('a client that abandons its request body', () => {
  let server: Server;
  let testApp: ReturnType<typeof buildTestApp>;

  beforeEach(async () => {
    testApp = buildTestApp();
    server = createServer(testApp.app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('gets a 400 INVALID_REQUEST_BODY line and a warning, never an error line or a stderr dump', async () => {
    const stderr = jest.spyOn(console, 'error');
    await sendRaw(
      server,
      [
        'POST /api/v1/sum HTTP/1.1',
        'Host: localhost',
        `X-API-Key: ${DEMO_KEY}`,
        'X-Request-ID: abandoned-1',
        'Content-Type: application/json',
        'Content-Length: 50',
        '',
        '{"numbers":',
      ].join('\r\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(testApp.log.requestLine('abandoned-1')).toMatchObject({
      level: 'warn',
      status: 400,
      error_code: 'INVALID_REQUEST_BODY',
    });
    const levels = testApp.log.entries.map((entry) => entry.level);
    expect(levels).not.toContain('error');
    expect(testApp.log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'client connection failed', request_id: 'abandoned-1' }),
    );
    expect(stderr).not.toHaveBeenCalled();
    stderr.mockRestore();
  });
});
