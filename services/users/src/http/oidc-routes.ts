import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { documented, DomainError, requireIdentity } from '@marquee/core';
import type { OidcSignIn } from '../app/oidc.js';
import { TokenPairSchema } from './schemas.js';

const SignInOptions = Type.Object({
  localPasswords: Type.Boolean({ description: 'sign-up and sign-in with a password are on' }),
  oidc: Type.Union(
    [Type.Object({ name: Type.String({ description: 'for "Sign in with …"' }) }), Type.Null()],
    {
      description: 'the single sign-on provider, or null when none is configured',
    },
  ),
});
const HandoffBody = Type.Object(
  { handoff: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
type HandoffBody = Static<typeof HandoffBody>;

/** Ties a sign-in to the browser that started it; sent back only to the callback. */
const BROWSER_COOKIE = 'marquee_sso';
const browserCookie = (value: string, maxAge: number, secure: boolean) =>
  `${BROWSER_COOKIE}=${value}; Path=/api/auth/oidc; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
const cookieValue = (header: string | undefined): string | undefined =>
  header
    ?.split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${BROWSER_COOKIE}=`))
    ?.slice(BROWSER_COOKIE.length + 1);

/** Where the browser lands after the provider: the web app's page that takes the handoff code. */
const COMPLETE_PATH = '/sso-complete';

/** Single sign-on (OpenID Connect) and how the sign-in page learns which ways in exist. */
export function oidcRoutes(
  app: FastifyInstance,
  oidc: OidcSignIn | undefined,
  options: { localPasswords: boolean; publicUrl: string },
): void {
  app.get(
    '/api/auth/options',
    {
      schema: documented('The ways to sign in here: passwords, and a single sign-on provider', ['auth'], {
        response: { 200: SignInOptions },
      }),
    },
    async () => ({ localPasswords: options.localPasswords, oidc: oidc ? { name: oidc.name } : null }),
  );

  const secure = options.publicUrl.startsWith('https://');
  const requireOidc = () => {
    if (!oidc) throw new DomainError('not_found', 'Single sign-on is not configured here');
    return oidc;
  };

  app.get(
    '/api/auth/oidc/start',
    {
      schema: documented(
        'Start "Sign in with <provider>" (a browser navigation): 302 to the provider with state, nonce and a PKCE challenge',
        ['auth'],
      ),
    },
    async (_req, reply) => {
      const browser = randomBytes(18).toString('base64url');
      const target = await requireOidc().start(browser);
      void reply.header('set-cookie', browserCookie(browser, 600, secure));
      return reply.redirect(target.href, 302);
    },
  );

  app.get(
    '/api/auth/oidc/callback',
    {
      schema: documented(
        'The redirect URI registered at the provider: checks the answer, finds, links (verified email) or creates the account, then 302 to the web app with a one-minute handoff code in the fragment; a failure goes to the sign-in page with `sso_error`',
        ['auth'],
      ),
    },
    async (req, reply) => {
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      const ua = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined;
      void reply.header('set-cookie', browserCookie('', 0, secure));
      // A re-authentication started on the account page goes back there, its failures too.
      const reauth = oidc ? await oidc.isReauthentication(query.slice(1)) : false;
      try {
        const answer = await requireOidc().callback(query, ua, cookieValue(req.headers.cookie));
        return 'handoff' in answer
          ? reply.redirect(`${options.publicUrl}${COMPLETE_PATH}#handoff=${answer.handoff}`, 302)
          : reply.redirect(`${options.publicUrl}/account#reauth=${answer.reauthProof}`, 302);
      } catch (err) {
        const code = err instanceof DomainError ? err.code : 'auth.oidc_failed';
        if (!(err instanceof DomainError)) req.log.error({ err }, 'single sign-on failed');
        const page = reauth ? '/account' : '/login';
        return reply.redirect(`${options.publicUrl}${page}?sso_error=${encodeURIComponent(code)}`, 302);
      }
    },
  );

  app.post(
    '/api/account/reauthentication',
    {
      schema: documented(
        'Confirm a grave change (account deletion, a profile PIN) by signing in again at the single sign-on provider: answers where to send the browser (a fresh login is forced); the provider’s return lands on /account#reauth=<proof>, a 5-minute single-use proof to send as `reauthProof` instead of the password',
        ['account'],
        { response: { 200: Type.Object({ url: Type.String() }) } },
      ),
    },
    async (req, reply) => {
      const { accountId } = requireIdentity(req);
      const browser = randomBytes(18).toString('base64url');
      const target = await requireOidc().startReauthentication(browser, accountId);
      void reply.header('set-cookie', browserCookie(browser, 600, secure));
      return { url: target.href };
    },
  );

  app.post<{ Body: HandoffBody }>(
    '/api/auth/oidc/token',
    {
      schema: documented(
        'Exchange the single-use handoff code of a finished single sign-on for a token pair',
        ['auth'],
        {
          body: HandoffBody,
          response: { 200: TokenPairSchema },
        },
      ),
    },
    async (req) => requireOidc().redeem(req.body.handoff),
  );
}
