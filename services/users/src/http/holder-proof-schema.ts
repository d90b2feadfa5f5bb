import { Type } from '@sinclair/typebox';

/**
 * The body fields by which the account holder confirms a grave change (app/account-confirmation.ts):
 * the password, or — for an account made by single sign-on, whose password nobody knows — the proof
 * of a fresh sign-in at the provider. Either one; neither is answered 401 like a wrong password.
 */
export const HolderProofFields = {
  password: Type.Optional(
    Type.String({ minLength: 1, maxLength: 1024, description: 'the account password, to confirm' }),
  ),
  reauthProof: Type.Optional(
    Type.String({
      minLength: 16,
      maxLength: 128,
      description: 'or: the proof of a fresh single sign-on (POST /api/account/reauthentication)',
    }),
  ),
};
