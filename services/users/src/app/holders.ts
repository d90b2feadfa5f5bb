import { SERVICE_TOKEN_HEADER, serviceToken, ServiceClient, UpstreamError } from '@marquee/core';
import type { HolderExport } from './account-data.js';

/** Streaming's playback sessions of an account, for the owner's export (GET /internal/…, service token). */
export function playbackSessionsHolder(
  baseUrls: readonly string[],
  secret: string,
): { export: HolderExport; close(): Promise<void> } {
  const client = new ServiceClient({
    service: 'streaming',
    baseUrls: [...baseUrls],
    headers: { [SERVICE_TOKEN_HEADER]: serviceToken(secret) },
    timeoutMs: 5_000,
  });
  return {
    async export(accountId) {
      const res = await client.get<{ items?: unknown[] }>(
        `/internal/accounts/${encodeURIComponent(accountId)}/playback-sessions`,
      );
      // An export without a part it claims to have would mislead the owner: fail instead.
      if (res.status !== 200 || !Array.isArray(res.body.items)) {
        throw new UpstreamError('upstream.unavailable', 'streaming', `streaming answered ${res.status}`);
      }
      return { service: 'streaming', data: { playbackSessions: res.body.items } };
    },
    close: () => client.close(),
  };
}
