/** How big each part of the bench is: `--quick` proves the harness works, full mode measures. */
export interface BenchMode {
  readonly name: 'quick' | 'full';
  /** Audit appends: how long each run lasts and how many appends each process keeps in flight. */
  readonly auditRunMs: number;
  readonly auditInFlight: number;
  /** `/jump key` from this many different users at once. */
  readonly burstUsers: number;
  /** Concurrent senders for the ack figures, and commands each sends (waiting for each answer). */
  readonly ackSenders: number;
  readonly ackCommandsPerSender: number;
  /**
   * Request → approve → certificate cycles for grant_p95, by two workers: what one approval costs
   * while others happen too, not how long a queue is (the mass phase shows latency at saturation).
   */
  readonly latencyCycles: number;
  readonly latencyWorkers: number;
  /** Grants that must all be active at once and then end within `endWindowMs`. */
  readonly massGrants: number;
  /** Cycles at the mass phase's concurrency that measure its pace first (2h grants, left active). */
  readonly paceCycles: number;
  readonly massWorkers: number;
  /**
   * How much slower than the grant-latency pace the mass phase may run before windows start to
   * end too early; the margin is idle time when the pace holds, so full mode keeps it small.
   */
  readonly paceSafety: number;
  readonly endWindowMs: number;
  /** How long an answer (reply, approval message, certificate DM) may take before it counts as missing. */
  readonly answerTimeoutMs: number;
  /** How long after the last notAfter revocations are waited for. */
  readonly revokeWaitMs: number;
}

export const QUICK: BenchMode = {
  name: 'quick',
  auditRunMs: 1_500,
  auditInFlight: 8,
  burstUsers: 50,
  ackSenders: 20,
  ackCommandsPerSender: 5,
  latencyCycles: 20,
  latencyWorkers: 2,
  massGrants: 100,
  paceCycles: 30,
  massWorkers: 10,
  paceSafety: 1.3,
  endWindowMs: 8_000,
  answerTimeoutMs: 30_000,
  revokeWaitMs: 30_000,
};

export const FULL: BenchMode = {
  name: 'full',
  auditRunMs: 5_000,
  auditInFlight: 8,
  burstUsers: 500,
  ackSenders: 50,
  ackCommandsPerSender: 10,
  latencyCycles: 100,
  latencyWorkers: 2,
  massGrants: 10_000,
  paceCycles: 320,
  massWorkers: 32,
  paceSafety: 1.1,
  endWindowMs: 50_000,
  answerTimeoutMs: 120_000,
  revokeWaitMs: 300_000,
};
