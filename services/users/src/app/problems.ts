import { ConflictError, DomainError, registerProblem } from '@marquee/core';
import type { PasswordWeakness } from './password-policy.js';

/** The users service's stable problem codes and their HTTP statuses (registered once at import). */
registerProblem('account.email_taken', 409, 'Email already registered');
registerProblem('auth.invalid_credentials', 401, 'Email or password is wrong');
registerProblem('auth.invalid_refresh_token', 401, 'Refresh token is not valid');
registerProblem('auth.refresh_token_reused', 401, 'Refresh token was already used');
registerProblem('password.too_weak', 422, 'Password is too weak');
registerProblem('profile.limit_reached', 409, 'Profile limit reached');
registerProblem('profile.last_profile', 409, 'An account keeps at least one profile');
registerProblem('profile.maturity_not_allowed', 422, 'Maturity not allowed for this profile');
registerProblem('plan.refused', 409, 'Plan change refused by billing');
registerProblem('profile.kids_cannot_manage', 403, 'A kids profile cannot manage profiles');
// Two-step sign-in: the login's second step, then enrolment and disabling on the account page.
registerProblem('auth.mfa_code_invalid', 401, 'The code is not right');
registerProblem('auth.mfa_challenge_invalid', 401, 'The sign-in has expired');
registerProblem('auth.mfa_rate_limited', 429, 'Too many wrong codes');
registerProblem('two_factor.code_invalid', 422, 'The code is not right');
registerProblem('two_factor.already_enabled', 409, 'Two-step sign-in is already on');
registerProblem('two_factor.not_pending', 409, 'No enrolment to confirm');
registerProblem('two_factor.not_enabled', 409, 'Two-step sign-in is off');

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
