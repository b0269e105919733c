import type { Server as HttpServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

/** A port the simulated ALB cannot listen on, with what to do about it. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/**
 * Starts listening; a port that is taken or privileged becomes a one-line error naming the
 * variable that moves it (`portVariable`).
 */
export function listen(
  server: Server,
  port: number,
  host: string,
  portVariable: string,
): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new ListenError(
            `Port ${port} is already in use: stop whatever listens on it, or set ${portVariable} to a free port`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new ListenError(`Port ${port} needs privileges: run as root, or set ${portVariable} above 1023`),
        );
      } else {
        reject(error);
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting connections and resolves once the in-flight requests have finished. */
export function close(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
