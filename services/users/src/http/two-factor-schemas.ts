import { Type, type Static } from '@sinclair/typebox';

/** Two-step sign-in (app/two-factor.ts): request and answer shapes. */
const Code = Type.String({
  minLength: 6,
  maxLength: 32,
  description: 'the 6-digit code from the authenticator app, or a recovery code such as abcde-fghjk',
});
const Password = Type.String({ minLength: 1, maxLength: 1024 });

export const MfaChallengeSchema = Type.Object({
  mfaRequired: Type.Literal(true, { description: 'the account has two-step sign-in on: send a code next' }),
  mfaToken: Type.String({ description: 'present with the code at POST /api/auth/login/mfa' }),
  expiresIn: Type.Integer({ description: 'seconds the mfaToken stays usable' }),
});
export const MfaLoginBody = Type.Object(
  { mfaToken: Type.String({ minLength: 1, maxLength: 128 }), code: Code },
  { additionalProperties: false },
);
export const TwoFactorStatusSchema = Type.Object({
  enabled: Type.Boolean(),
  pending: Type.Boolean({ description: 'an enrolment was started and waits for its first code' }),
  recoveryCodesLeft: Type.Integer(),
  required: Type.Boolean({
    description: 'the operator requires it of this account (AUTH_REQUIRE_ADMIN_2FA)',
  }),
});
export const EnrolmentSchema = Type.Object({
  secret: Type.String({ description: 'base32, for typing into an app that cannot scan' }),
  otpauthUrl: Type.String(),
  qrCode: Type.String({ description: 'the otpauth URL as an SVG QR code, a data: URL' }),
});
export const RecoveryCodesSchema = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'ten single-use codes, shown once' }),
});
export const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false });
export const CodeBody = Type.Object({ code: Code }, { additionalProperties: false });
export const DisableBody = Type.Object({ password: Password, code: Code }, { additionalProperties: false });

export type MfaLoginBody = Static<typeof MfaLoginBody>;
export type PasswordBody = Static<typeof PasswordBody>;
export type CodeBody = Static<typeof CodeBody>;
export type DisableBody = Static<typeof DisableBody>;
