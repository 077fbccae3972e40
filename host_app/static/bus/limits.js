// What an app may make the host do, as token buckets per app: messages per second, and bytes
// of JSON per second the host may walk to check them. Every walk of a message stops at what is
// left of its sender's byte allowance and is paid for whatever the verdict: one structured
// clone can share a payload among a thousand emits, which cost nothing to post and much to walk.

export const DEFAULT_LIMITS = Object.freeze({
  maxBytes: 64 * 1024,
  ratePerSecond: 20000,
  burst: 20000,
  // Bytes of JSON per second (and at most in one go) an app's messages may make the host walk,
  // counted as the size check counts them: an upper bound (6 a character, 25 a number), about
  // 4.5 times the JSON of a usual emit. 20,000 emits of a kilobyte of bound fit in one go.
  byteRate: 64 * 1024 * 1024,
  ackTimeoutMs: 2000,
  maxAttempts: 6,
  // While a consumer stays connected, one of its parked deliveries is tried this often.
  parkedRetryMs: 15000,
  outboxLimit: 1000,
  dedupeLimit: 20000,
  persistMs: 200,
  // How long a delivery may wait for its consumer (by the wall clock, across reloads of the
  // page): less than checkout's idempotency window, so a redelivery is always recognised.
  maxAgeMs: 24 * 60 * 60 * 1000,
});

/** Token bucket: `burst` tokens, refilled at `rate` per second. */
export class Bucket {
  constructor(rate, burst, now) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.at = now;
  }

  /** The tokens there are at `now`. */
  level(now) {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    return this.tokens;
  }

  /** Take one token at `now`; false when there is none. */
  take(now) {
    if (this.level(now) < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Spend `count` tokens already measured out (`level` said they were there). */
  spend(count) {
    this.tokens -= count;
  }
}

/**
 * What a message's walks cost its sender's byte bucket: the bytes they measured, at most the
 * allowance (a walk stops there), but every key they listed (4 bytes each at least), which
 * was work done however far past the allowance it went.
 */
const walkCost = (walk, allowance) => Math.max(Math.min(walk.bytes, allowance), 4 * walk.listed);

/** The buckets of every app, made at its first message; `time()` is when that message arrived. */
export class AppBuckets {
  constructor(limits, time) {
    this.limits = limits;
    this.time = time;
    this.messages = new Map();
    this.bytes = new Map();
    // What the walks of the message being checked measured and listed (one object, reused).
    this.walk = { bytes: 0, listed: 0 };
  }

  /** Take one message of app `name` from its bucket; false when it is over the rate. */
  takeMessage(name) {
    const { ratePerSecond, burst } = this.limits;
    return this.bucketIn(this.messages, name, ratePerSecond, burst).take(this.time());
  }

  /**
   * Run `walker(allowance, walk)`, which walks a message of app `name` no further than
   * `allowance` bytes and adds what it measured and listed to `walk`; the walk is paid for
   * from the app's byte bucket, whatever `walker` returns (and that is returned).
   */
  paidWalk(name, walker) {
    const { byteRate, maxBytes } = this.limits;
    const bytes = this.bucketIn(this.bytes, name, byteRate, byteRate);
    const left = Math.min(maxBytes, Math.floor(bytes.level(this.time())));
    // A broken limit (NaN) lets nothing through rather than everything.
    const allowance = left > 0 ? left : 0;
    const walk = this.walk;
    walk.bytes = 0;
    walk.listed = 0;
    const result = walker(allowance, walk);
    bytes.spend(walkCost(walk, allowance));
    return result;
  }

  /** Why a message measured past its allowance is refused: `{reason, message}`. */
  overAllowance(allowance) {
    if (allowance < this.limits.maxBytes) {
      return { reason: "rate-limited", message: `more than ${this.limits.byteRate} bytes of messages per second` };
    }
    return { reason: "too-large", message: `more than the ${this.limits.maxBytes}-byte limit as JSON` };
  }

  bucketIn(buckets, name, rate, burst) {
    let bucket = buckets.get(name);
    if (!bucket) {
      bucket = new Bucket(rate, burst, this.time());
      buckets.set(name, bucket);
    }
    return bucket;
  }
}
