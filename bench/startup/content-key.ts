import { login } from '../../packages/cli/src/ingest.js';
import { signUp } from '../../web/test/support/catalog.js';

/**
 * The content key of a title's asset, as a viewer's session gets it (undefined when the asset is not
 * encrypted), so the static reference can serve the same encrypted bytes and key as the edges: both
 * sides then pay the key fetch.
 */
export async function contentKeyOf(gateway: string, titleId: string): Promise<Buffer | undefined> {
  const account = await signUp(gateway, 'premium');
  const token = await login(gateway, account.email, account.password);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const profiles = (await (await fetch(`${gateway}/api/profiles`, { headers })).json()) as {
    items?: { profileId: string }[];
    profiles?: { profileId: string }[];
  };
  const profileId = (profiles.items ?? profiles.profiles ?? [])[0]?.profileId;
  const started = await fetch(`${gateway}/api/playback`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ profileId, titleId }),
  });
  if (started.status !== 201) throw new Error(`playback answered ${started.status}: ${await started.text()}`);
  const session = (await started.json()) as {
    sessionId: string;
    manifestUrl: string;
    encryption: string | null;
  };
  try {
    if (session.encryption === null) return undefined;
    const res = await fetch(new URL('content.key', session.manifestUrl));
    if (res.status !== 200) throw new Error(`the content key answered ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  } finally {
    await fetch(`${gateway}/api/playback/${session.sessionId}`, { method: 'DELETE', headers });
  }
}
