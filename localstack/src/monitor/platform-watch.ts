/**
 * Notices when the AWS emulator has forgotten the platform: moto keeps its state in memory and
 * LocalStack, by default, too, so a restarted emulator answers but holds no stack, log group,
 * alarm, secret or inbox. Without this the monitor would go on retrying into nothing and
 * evaluate no alarm, silently.
 */

/** What the monitor says when the emulator no longer holds the platform, and what to do about it. */
export const PLATFORM_LOST_MESSAGE =
  'the AWS emulator no longer holds the platform (it restarted without its state): no log line, metric or alarm reaches it and no alarm is evaluated; run `make local-down && make local-up` to deploy the platform again';

export type PlatformState = 'deployed' | 'lost' | 'redeployed';

export interface PlatformWatchOptions {
  /** Whether the emulator holds the platform now (its log group, which the deploy creates). */
  readonly present: () => Promise<boolean>;
  readonly log: (event: Record<string, unknown>) => void;
  /** While the platform is lost, the message is repeated this often. */
  readonly repeatEveryMs: number;
  readonly now?: () => number;
}

export class PlatformWatch {
  private lostAt: number | undefined;
  private reportedAt = 0;

  constructor(private readonly options: PlatformWatchOptions) {}

  /**
   * `deployed` while the emulator holds the platform; `lost` from the first check that finds it
   * gone (said at once, then every `repeatEveryMs`); `redeployed` at the first check that finds
   * it back after that, when what the monitor knows of it (names, filters) is stale.
   */
  async check(): Promise<PlatformState> {
    const now = (this.options.now ?? Date.now)();
    const present = await this.options.present();
    if (present) {
      if (this.lostAt === undefined) return 'deployed';
      this.options.log({
        event: 'platform-redeployed',
        lostForSeconds: Math.round((now - this.lostAt) / 1000),
      });
      return 'redeployed';
    }
    if (this.lostAt === undefined) this.lostAt = now;
    if (this.reportedAt === 0 || now - this.reportedAt >= this.options.repeatEveryMs) {
      this.reportedAt = now;
      this.options.log({
        event: 'platform-lost',
        level: 'error',
        lostForSeconds: Math.round((now - this.lostAt) / 1000),
        message: PLATFORM_LOST_MESSAGE,
      });
    }
    return 'lost';
  }
}
