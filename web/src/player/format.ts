export function clock(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds)) return '0:00';
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** What a viewer is told when playback is refused, by the API's stable problem code. */
export function refusalMessage(code: string, fallback: string): string {
  switch (code) {
    case 'playback.stream_limit':
      return 'Too many screens are watching on this account right now. Stop playback on another device, or upgrade your plan.';
    case 'playback.maturity':
      return 'This title is not available for this profile: its rating is above the profile’s limit.';
    case 'playback.not_ready':
      return 'This title is still being prepared. Try again in a minute.';
    case 'playback.plan_resolution':
      return 'Your plan does not include a quality this title is available in.';
    case 'playback.profile_not_owned':
      return 'This profile belongs to another account. Choose one of your profiles.';
    case 'playback.email_unverified':
      return 'Verify your email to start watching: open the link we mailed you, or send it again from your Account page.';
    case 'playback.no_edge':
      return 'No video server is available right now. Try again in a moment.';
    default:
      return fallback;
  }
}

/** Episode and film lengths as a viewer reads them: "42 min", or seconds for very short clips. */
export function runtime(totalSeconds: number): string {
  if (totalSeconds < 60) return `${Math.round(totalSeconds)} s`;
  const minutes = Math.round(totalSeconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
