import type { Page } from 'playwright-core';

/** What the tests drive, through roles and labels only: if a query fails, a person using a screen reader is lost too. */
export async function signIn(page: Page, account: { email: string; password: string }): Promise<void> {
  await page.goto('/login');
  try {
    await page.getByLabel('Email').fill(account.email, { timeout: 10_000 });
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/profiles', { timeout: 10_000 });
  } catch (err) {
    throw new Error(
      `signing in failed at ${page.url()}: ${(err as Error).message}\npage says: ${await pageText(page)}`,
    );
  }
}

/** What the page shows, for failure messages. */
export async function pageText(page: Page): Promise<string> {
  return (
    await page
      .locator('body')
      .innerText({ timeout: 2000 })
      .catch(() => '(unreadable)')
  ).slice(0, 500);
}

export async function chooseProfile(page: Page, name: string | RegExp = /^Watch as /): Promise<void> {
  await page
    .getByRole('button', { name: typeof name === 'string' ? `Watch as ${name}` : name })
    .first()
    .click();
  await page.waitForURL((u) => u.pathname === '/');
}

export interface VideoState {
  currentTime: number;
  paused: boolean;
  ended: boolean;
  error: string | null;
  bufferedEnd: number;
  playbackRate: number;
}

export function videoState(page: Page): Promise<VideoState> {
  return page.evaluate(() => {
    const v = document.querySelector('video');
    if (!v) throw new Error('no video element');
    return {
      currentTime: v.currentTime,
      paused: v.paused,
      ended: v.ended,
      error: v.error ? `${v.error.code}: ${v.error.message}` : null,
      bufferedEnd: v.buffered.length > 0 ? v.buffered.end(v.buffered.length - 1) : 0,
      playbackRate: v.playbackRate,
    };
  });
}

/** Waits until the video has played past `seconds`, failing at once on a media error or an error overlay. */
export async function waitForPlayback(page: Page, seconds: number, timeoutMs = 30_000): Promise<VideoState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await videoState(page).catch(() => undefined);
    if (state?.error) throw new Error(`video error ${state.error}`);
    const overlay = page.locator('.player-overlay[role=alert], .player-message[role=alert]');
    if (await overlay.isVisible()) throw new Error(`player shows an error: ${await overlay.innerText()}`);
    if (state && state.currentTime > seconds) return state;
    if (Date.now() > deadline)
      throw new Error(`video did not pass ${seconds} s within ${timeoutMs} ms: ${JSON.stringify(state)}`);
    await page.waitForTimeout(100);
  }
}

/** The signed-in viewer's tokens and profile, as the app keeps them. */
export async function sessionOf(page: Page): Promise<{ accessToken: string; profileId: string }> {
  return page.evaluate(() => {
    const tokens = JSON.parse(localStorage.getItem('marquee.tokens') ?? '{}') as { accessToken: string };
    const profile = JSON.parse(sessionStorage.getItem('marquee.profile') ?? '{}') as { profileId: string };
    return { accessToken: tokens.accessToken, profileId: profile.profileId };
  });
}

/**
 * Presses Tab until the focused element's accessible name matches, as a keyboard user would; fails
 * when it takes more than `max` presses (the element is unreachable or buried).
 */
export async function tabTo(page: Page, name: RegExp, max = 40): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return '';
      const label = (el as HTMLInputElement).labels?.[0]?.innerText;
      return (el.getAttribute('aria-label') ?? label ?? el.innerText ?? '').trim();
    });
    if (name.test(focused)) return;
    seen.push(focused);
  }
  throw new Error(`no element named ${name} within ${max} Tab presses; focus went: ${seen.join(' | ')}`);
}

/**
 * Interactive elements without an accessible name (a heuristic of the accessible-name computation:
 * aria-label, aria-labelledby, a <label>, text, title, or an image's alt) — what a screen reader
 * would announce as just "button".
 */
export function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector =
      'a[href], button, input:not([type=hidden]), select, textarea, [role=button], [role=slider], [role=menuitem], [role=option], [tabindex]:not([tabindex="-1"])';
    const named = (el: Element): boolean => {
      if (el.getAttribute('aria-label')?.trim()) return true;
      const by = el.getAttribute('aria-labelledby');
      if (by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return true;
      if ((el as HTMLInputElement).labels?.length) return true;
      if ((el as HTMLElement).innerText?.trim()) return true;
      if (el.getAttribute('title')?.trim()) return true;
      return Array.from(el.querySelectorAll('img[alt]')).some((img) => img.getAttribute('alt')?.trim());
    };
    return Array.from(document.querySelectorAll(selector))
      .filter((el) => (el as HTMLElement).offsetParent !== null || el.tagName === 'INPUT')
      .filter((el) => !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  });
}
