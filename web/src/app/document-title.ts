import { useEffect } from 'react';

const APP = 'Marquee';

/**
 * Names the browser tab after the page ("Tidewater – Marquee"), so a viewer with several tabs, and a
 * screen reader announcing the page, can tell them apart. Null while the name is still loading.
 */
export function useDocumentTitle(name: string | null): void {
  useEffect(() => {
    document.title = name ? `${name} – ${APP}` : APP;
  }, [name]);
}
