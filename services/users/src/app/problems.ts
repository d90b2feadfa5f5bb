import { ConflictError, DomainError, type ProblemCodes } from '@marquee/core';
import type { PasswordWeakness } from './password-policy.js';

/** The users service's stable problem codes and their HTTP statuses, given to its server. */
export const usersProblems = {
  'account.email_taken': { status: 409, title: 'Email already registered' },
  'account.self_change': { status: 409, title: 'Admins cannot disable or demote themselves' },
  'auth.account_disabled': { status: 403, title: 'This account is disabled' },
  'auth.invalid_credentials': { status: 401, title: 'Email or password is wrong' },
  'auth.invalid_refresh_token': { status: 401, title: 'Refresh token is not valid' },
  'auth.refresh_token_reused': { status: 401, title: 'Refresh token was already used' },
  'auth.link_invalid': { status: 400, title: 'This link is not valid' },
  'password.too_weak': { status: 422, title: 'Password is too weak' },
  'profile.limit_reached': { status: 409, title: 'Profile limit reached' },
  'profile.last_profile': { status: 409, title: 'An account keeps at least one profile' },
  'profile.maturity_not_allowed': { status: 422, title: 'Maturity not allowed for this profile' },
  'profile.kids_cannot_manage': { status: 403, title: 'A kids profile cannot manage profiles' },
  'plan.refused': { status: 409, title: 'Plan change refused by billing' },
  // Profile locks (the gateway answers profile.confined too, for a device confined to a kids profile).
  'profile.pin_wrong': { status: 403, title: 'The PIN is wrong' },
  'profile.pin_attempts': { status: 429, title: 'Too many wrong PINs' },
  'profile.confined': { status: 403, title: 'This device is in a kids profile' },
  'profile.session_unknown': { status: 400, title: 'No session to unlock the profile on' },
  // Two-step sign-in: the login's second step, then enrolment and disabling on the account page.
  'auth.mfa_code_invalid': { status: 401, title: 'The code is not right' },
  'auth.mfa_challenge_invalid': { status: 401, title: 'The sign-in has expired' },
  'auth.mfa_rate_limited': { status: 429, title: 'Too many wrong codes' },
  'two_factor.code_invalid': { status: 422, title: 'The code is not right' },
  'two_factor.already_enabled': { status: 409, title: 'Two-step sign-in is already on' },
  'two_factor.not_pending': { status: 409, title: 'No enrolment to confirm' },
  'two_factor.not_enabled': { status: 409, title: 'Two-step sign-in is off' },
  // Single sign-on.
  'auth.oidc_unavailable': { status: 503, title: 'Single sign-on is not available' },
  'auth.oidc_failed': { status: 400, title: 'Single sign-on did not complete' },
  'auth.oidc_email_unverified': { status: 409, title: 'The provider has not verified this email' },
  'auth.oidc_denied': { status: 403, title: 'The provider did not let this sign-in through' },
  'auth.local_passwords_disabled': { status: 403, title: 'Passwords are turned off here' },
} as const satisfies ProblemCodes;

export class EmailTakenError extends ConflictError {
  constructor() {
    super('account.email_taken', 'An account with this email already exists; sign in instead');
  }
}

/** Deliberately says neither which part was wrong nor whether the account exists. */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('auth.invalid_credentials', 'The email or password is wrong');
  }
}

export class InvalidRefreshTokenError extends DomainError {
  constructor(message = 'The refresh token is not valid or has expired; sign in again') {
    super('auth.invalid_refresh_token', message);
  }
}

export class RefreshTokenReusedError extends DomainError {
  constructor() {
    super(
      'auth.refresh_token_reused',
      'This refresh token was already used; for safety the whole session has been ended. Sign in again',
    );
  }
}

export class PasswordTooWeakError extends DomainError {
  constructor(reason: PasswordWeakness, message: string) {
    super('password.too_weak', message, { reason });
  }
}

export class ProfileLimitError extends ConflictError {
  constructor(limit: number) {
    super('profile.limit_reached', `An account can have at most ${limit} profiles`, { limit });
  }
}

export class LastProfileError extends ConflictError {
  constructor() {
    super('profile.last_profile', 'This is the account’s only profile; create another before deleting it');
  }
}

export class MaturityNotAllowedError extends DomainError {
  constructor(message: string) {
    super('profile.maturity_not_allowed', message);
  }
}

export class KidsCannotManageProfilesError extends DomainError {
  constructor() {
    super(
      'profile.kids_cannot_manage',
      'A kids profile cannot add, change or delete profiles. Switch to an adult profile first.',
    );
  }
}

export class MfaCodeInvalidError extends DomainError {
  constructor() {
    super(
      'auth.mfa_code_invalid',
      'That code is not right; type the current code from your app, or a recovery code',
    );
  }
}

/** Also after too many wrong codes for one password step: the viewer starts again from the password. */
export class MfaChallengeInvalidError extends DomainError {
  constructor() {
    super(
      'auth.mfa_challenge_invalid',
      'This sign-in has expired or had too many wrong codes; sign in again with your password',
    );
  }
}

export class MfaRateLimitedError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(
      'auth.mfa_rate_limited',
      `Too many wrong codes for this account; wait ${retryAfterSeconds / 60} minutes and try again`,
      { retryAfterSeconds },
    );
  }
}

export class TwoFactorCodeInvalidError extends DomainError {
  constructor(message: string) {
    super('two_factor.code_invalid', message);
  }
}

export class TwoFactorAlreadyEnabledError extends DomainError {
  constructor() {
    super(
      'two_factor.already_enabled',
      'Two-step sign-in is already on; turn it off first to enrol another app',
    );
  }
}

export class TwoFactorNotPendingError extends DomainError {
  constructor() {
    super(
      'two_factor.not_pending',
      'Start the enrolment first: there is no new secret waiting for its first code',
    );
  }
}

export class TwoFactorNotEnabledError extends DomainError {
  constructor() {
    super('two_factor.not_enabled', 'Two-step sign-in is not on');
  }
}
