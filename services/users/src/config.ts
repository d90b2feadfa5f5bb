import type { Plan } from '@marquee/contracts';
import type { ServiceContext } from '@marquee/platform';
import type { OidcSettings } from './app/oidc.js';
import { PRODUCTION_ARGON2, type Argon2Params } from './app/password-hashing.js';

/** The slice of the settings the users service reads, typed and resolved once. */
export interface UsersConfig {
  /** Root secret: seals the signing keys at rest (the service token is derived from it in core). */
  secret: string;
  firstAdmin: { email?: string; password?: string };
  argon2: Argon2Params;
  /** The plan new accounts start on; higher ones wait for the operator (OperatorBilling). */
  defaultPlan: Plan;
  /** Where links in mail lead: MARQUEE_PUBLIC_URL, else the gateway's own address. */
  publicUrl: string;
  mail: { smtpUrl?: string; from: string };
  /** AUTH_REQUIRE_ADMIN_2FA: admins without two-step sign-in get viewer tokens until they enrol. */
  requireAdminTwoFactor: boolean;
  /** AUTH_LOCAL_PASSWORDS: false leaves single sign-on as the only way in. */
  localPasswords: boolean;
  /** Single sign-on, when OIDC_ISSUER and OIDC_CLIENT_ID are set. */
  oidc?: OidcSettings;
}

export function usersConfig(ctx: Pick<ServiceContext, 'settings' | 'secret'>): UsersConfig {
  return Object.freeze({
    secret: ctx.secret,
    firstAdmin: { email: ctx.settings.MARQUEE_ADMIN_EMAIL, password: ctx.settings.MARQUEE_ADMIN_PASSWORD },
    argon2: PRODUCTION_ARGON2,
    defaultPlan: ctx.settings.BILLING_DEFAULT_PLAN,
    publicUrl: (
      ctx.settings.MARQUEE_PUBLIC_URL ?? `http://${ctx.settings.MARQUEE_HOST}:${ctx.settings.MARQUEE_PORT}`
    ).replace(/\/+$/, ''),
    mail: { smtpUrl: ctx.settings.SMTP_URL, from: ctx.settings.MAIL_FROM },
    requireAdminTwoFactor: ctx.settings.AUTH_REQUIRE_ADMIN_2FA,
    localPasswords: ctx.settings.AUTH_LOCAL_PASSWORDS,
    ...oidcSettings(ctx.settings),
  });
}

function oidcSettings(settings: ServiceContext['settings']): { oidc?: OidcSettings } {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId } = settings;
  if (!issuer || !clientId) return {};
  return {
    oidc: {
      issuer,
      clientId,
      name: settings.OIDC_NAME,
      ...(settings.OIDC_CLIENT_SECRET ? { clientSecret: settings.OIDC_CLIENT_SECRET } : {}),
      ...(settings.OIDC_ADMIN_CLAIM ? { adminClaim: settings.OIDC_ADMIN_CLAIM } : {}),
      ...(settings.OIDC_ADMIN_VALUE ? { adminValue: settings.OIDC_ADMIN_VALUE } : {}),
    },
  };
}
