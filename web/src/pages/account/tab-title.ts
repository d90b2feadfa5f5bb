import { useEffect } from 'react';

/**
 * Names the browser tab after the account page ("Account – Marquee"). The same rule as the other
 * pages' title hook (app/document-title.ts, not committed when these pages were); fold into it then.
 */
export function useTabTitle(name: string): void {
  useEffect(() => {
    document.title = `${name} – Marquee`;
  }, [name]);
}
