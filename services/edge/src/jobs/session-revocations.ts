import type { EventBus, Subscription } from '@marquee/platform';
import type { RevokedSessions } from '../app/revoked-sessions.js';

/**
 * Pushes ended playback sessions to this edge: every edge has its own consumer group for streaming's
 * `playback.stopped`, so each sees every stop (a new edge reads the history and keeps the stops whose
 * tokens may still be alive). The media path then refuses that session's URLs with
 * `media.session_ended` — within the outbox relay and bus delivery time, seconds, and never by asking
 * anyone per request.
 */
export class SessionRevocations {
  private subscription: Subscription | undefined;

  constructor(private readonly deps: { edgeId: string; bus: EventBus; revoked: RevokedSessions }) {}

  async start(): Promise<void> {
    const { bus, revoked, edgeId } = this.deps;
    this.subscription = await bus.subscribe({
      group: `edge-${edgeId}-sessions`,
      types: ['playback.stopped'],
      // Idempotent: revoking twice is revoking once.
      handler: async ({ event }) => {
        const { sessionId } = event.data;
        const at = Date.parse(event.time);
        if (typeof sessionId === 'string' && Number.isFinite(at)) revoked.revoke(sessionId, at);
      },
      concurrency: 8,
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}
