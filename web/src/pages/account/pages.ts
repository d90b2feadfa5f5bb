import './account.css';

export { AccountPage } from './AccountPage';
export { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './EmailLinkPages';
