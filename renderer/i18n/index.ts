/**
 * i18next set-up: Swedish and English, language from the OS (navigator.languages) unless the user
 * chose one in settings. Errors are translated by their stable code (`errors.<code>`), falling back
 * to the English message from main.
 */
import i18next, { type i18n as I18n, type TFunction } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { FEATURES } from './features';
import { mergeStrings, type StringTree } from './merge';
import { sv } from './sv';

/** Languages with strings. */
export const SUPPORTED = ['sv', 'en'] as const;
/** A supported language. */
export type Lang = (typeof SUPPORTED)[number];

/** The OS language mapped to a supported one (Swedish for sv-*, otherwise English). */
export function systemLanguage(langs: readonly string[] = navigator.languages ?? [navigator.language]): Lang {
  for (const l of langs) {
    const base = l.toLowerCase().split('-')[0];
    if ((SUPPORTED as readonly string[]).includes(base)) return base as Lang;
  }
  return 'en';
}

/** Resolves the setting ('system' | 'sv' | 'en') to a language. */
export function resolveLanguage(setting: string): Lang {
  return (SUPPORTED as readonly string[]).includes(setting) ? (setting as Lang) : systemLanguage();
}

/** Every string per language: the shell's plus each feature's (features/). */
export const STRINGS: Readonly<Record<Lang, StringTree>> = {
  en: mergeStrings([en, ...FEATURES.map((f) => f.en)]),
  sv: mergeStrings([sv, ...FEATURES.map((f) => f.sv)]),
};

/** Initialises i18next once. */
export function initI18n(lang: Lang): I18n {
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: STRINGS.en }, sv: { translation: STRINGS.sv } },
    lng: lang,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = lang;
  return i18next;
}

/** Switches language and updates <html lang> for screen readers. */
export async function setLanguage(lang: Lang): Promise<void> {
  await i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

/** A user-facing sentence for an error: the translation of its code, else main's message. */
export function errorText(t: TFunction, err: unknown): string {
  const e = err as { code?: string; message?: string };
  const key = `errors.${e?.code ?? 'internal'}`;
  const translated = String(t(key));
  if (translated !== key && e?.code !== 'module-load-failed') return translated;
  return e?.message ?? t('errors.internal');
}
