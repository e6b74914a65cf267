/**
 * Counts failed logins per key ("user:NAME", "ip:ADDR") in a sliding window. In memory: the hub
 * is one process, and a restart forgetting a few failures costs little next to a table write
 * per attempt. A key with `maxFailures` failures in the window is locked until the oldest of
 * them leaves the window.
 */
export interface RateLimitOptions {
  maxFailures: number;
  windowMs: number;
  now?: () => number;
}

export class FailureRateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.options.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  /** When the key may try again, or null if it may now. */
  lockedUntil(key: string): Date | null {
    const recent = this.recent(key);
    if (recent.length < this.options.maxFailures) return null;
    // Unlocks when enough failures have aged out to bring the count below the limit.
    const unlocking = recent[recent.length - this.options.maxFailures]!;
    return new Date(unlocking + this.options.windowMs);
  }

  recordFailure(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.set(key, recent);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }
}
