import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * How busy this edge is, 0…1, for steering: the event loop's utilisation since the last reading (a
 * Node server saturates its one loop long before anything else) or the share of the request
 * concurrency in use, whichever is higher.
 */
export class LoadGauge {
  private last: EventLoopUtilization = performance.eventLoopUtilization();
  private inflight = 0;

  constructor(private readonly maxInflight = 512) {}

  enter(): void {
    this.inflight++;
  }

  leave(): void {
    this.inflight = Math.max(0, this.inflight - 1);
  }

  read(): number {
    const now = performance.eventLoopUtilization();
    const elu = performance.eventLoopUtilization(now, this.last).utilization;
    this.last = now;
    return Math.min(1, Math.max(Number.isFinite(elu) ? elu : 0, this.inflight / this.maxInflight));
  }
}
