/**
 * Kept-alive connections from the simulated ALB to its targets, one pool per target, like
 * ALB's reuse of target connections for up to the idle timeout.
 */
import { connect, type Socket } from 'node:net';
import type { Target } from './targets';

/** What a pooled connection reports to the request it carries. */
export interface TargetExchange {
  connected(connection: TargetConnection): void;
  connectFailed(timedOut: boolean): void;
  targetData(chunk: Buffer): void;
  targetClosed(): void;
  targetTimedOut(): void;
}

/** ALB gives up on connecting to a target after 10 seconds and answers 504. */
const TARGET_CONNECT_TIMEOUT_MS = 10_000;
/** Kept per target for reuse; more are closed once their response is over. */
const MAX_IDLE_PER_TARGET = 64;
/** Kept-alive connections to the targets, per target. */
export class TargetPool {
  private readonly idle = new Map<string, TargetConnection[]>();

  constructor(private readonly idleTimeoutMs: number) {}

  acquire(target: Target, exchange: TargetExchange): void {
    const key = `${target.id}:${target.port}`;
    const idle = this.idle.get(key);
    while (idle && idle.length > 0) {
      const connection = idle.pop() as TargetConnection;
      if (connection.socket.destroyed) continue;
      connection.exchange = exchange;
      exchange.connected(connection);
      return;
    }
    const connection = new TargetConnection(this, key, connect({ host: target.id, port: target.port }));
    connection.exchange = exchange;
    connection.connect(this.idleTimeoutMs);
  }

  release(connection: TargetConnection): void {
    connection.exchange = undefined;
    let idle = this.idle.get(connection.key);
    if (!idle) {
      idle = [];
      this.idle.set(connection.key, idle);
    }
    if (idle.length >= MAX_IDLE_PER_TARGET) {
      connection.socket.destroy();
      return;
    }
    // Like ALB, a kept-alive target connection is closed after the idle timeout.
    connection.socket.setTimeout(this.idleTimeoutMs);
    idle.push(connection);
  }

  remove(connection: TargetConnection): void {
    const idle = this.idle.get(connection.key);
    const index = idle?.indexOf(connection) ?? -1;
    if (idle && index >= 0) idle.splice(index, 1);
  }

  destroy(): void {
    for (const idle of this.idle.values()) for (const connection of idle) connection.socket.destroy();
    this.idle.clear();
  }
}

export class TargetConnection {
  exchange: TargetExchange | undefined;
  connected = false;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: TargetPool,
    readonly key: string,
    readonly socket: Socket,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.exchange) this.exchange.targetData(chunk);
      else socket.destroy();
    });
    socket.on('timeout', () => {
      if (this.exchange) this.exchange.targetTimedOut();
      else socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(this.connectTimer);
      this.pool.remove(this);
      const exchange = this.exchange;
      this.exchange = undefined;
      if (!exchange) return;
      if (this.connected) exchange.targetClosed();
      else exchange.connectFailed(false);
    });
  }

  connect(idleTimeoutMs: number): void {
    this.connectTimer = setTimeout(() => {
      const exchange = this.exchange;
      this.exchange = undefined;
      this.socket.destroy();
      exchange?.connectFailed(true);
    }, TARGET_CONNECT_TIMEOUT_MS);
    this.socket.once('connect', () => {
      clearTimeout(this.connectTimer);
      this.connected = true;
      this.socket.setTimeout(idleTimeoutMs);
      this.exchange?.connected(this);
    });
  }
}
