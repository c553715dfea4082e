/**
 * Follows the OS: light, dark, or high contrast (Windows contrast themes appear as
 * `forced-colors: active`). Returns the matching Fluent theme and updates live.
 */
import { teamsHighContrastTheme, webDarkTheme, webLightTheme, type Theme } from '@fluentui/react-components';
import { useEffect, useState } from 'react';

/** Which theme the OS asks for. */
export type ThemeKind = 'light' | 'dark' | 'high-contrast';

function current(): ThemeKind {
  if (window.matchMedia('(forced-colors: active)').matches) return 'high-contrast';
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The Fluent theme for the OS setting. */
export function useOsTheme(): { kind: ThemeKind; theme: Theme } {
  const [kind, setKind] = useState<ThemeKind>(current);
  useEffect(() => {
    const queries = ['(forced-colors: active)', '(prefers-color-scheme: dark)'].map((q) => window.matchMedia(q));
    const update = () => setKind(current());
    queries.forEach((q) => q.addEventListener('change', update));
    return () => queries.forEach((q) => q.removeEventListener('change', update));
  }, []);
  const theme = kind === 'high-contrast' ? teamsHighContrastTheme : kind === 'dark' ? webDarkTheme : webLightTheme;
  return { kind, theme };
}
