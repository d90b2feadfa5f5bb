import { lazy } from 'react';

/** The account pages are a chunk of their own: visited rarely, never on the way to play. */
const load = () => import('./pages');

export const AccountPage = lazy(() => load().then((m) => ({ default: m.AccountPage })));
export const ForgotPasswordPage = lazy(() => load().then((m) => ({ default: m.ForgotPasswordPage })));
export const ResetPasswordPage = lazy(() => load().then((m) => ({ default: m.ResetPasswordPage })));
export const VerifyEmailPage = lazy(() => load().then((m) => ({ default: m.VerifyEmailPage })));

/** Pages a signed-out visitor may open (links in mail are followed from any browser). */
export const SIGNED_OUT_PAGES = ['/forgot-password', '/reset-password', '/verify-email'];
