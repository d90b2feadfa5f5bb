import { PasswordField } from '../../components/form-fields';

/**
 * How the account holder confirms a grave change on the account page: the password, or — where single
 * sign-on is configured — signing in again at the provider (an account made by single sign-on has no
 * password anyone knows). Once the provider's proof is back, it says so instead (`then`: what to do next).
 */
export function HolderProofInput({
  passwordLabel,
  password,
  onPassword,
  provider,
  reauthProof,
  onConfirmAtProvider,
  then,
}: {
  passwordLabel: string;
  password: string;
  onPassword: (password: string) => void;
  provider: string | null;
  reauthProof: string | null;
  onConfirmAtProvider: () => void;
  then: string;
}) {
  if (reauthProof)
    return (
      <p role="status">
        You signed in again at {provider ?? 'the provider'}: {then}
      </p>
    );
  return (
    <>
      <PasswordField label={passwordLabel} fresh={false} value={password} onChange={onPassword} />
      {provider && (
        <p>
          Or{' '}
          <button type="button" className="secondary" onClick={onConfirmAtProvider}>
            Confirm by signing in with {provider}
          </button>
        </p>
      )}
    </>
  );
}
