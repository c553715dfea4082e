import { FluentProvider, MessageBar, MessageBarBody, Select, Tab, TabList, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bridge } from './bridge-client';
import { useOsTheme } from './hooks/use-os-theme';
import { resolveLanguage, setLanguage, type Lang } from './i18n';
import { PAGES } from './pages/registry';

const useStyles = makeStyles({
  root: { minHeight: '100vh', display: 'flex', flexDirection: 'column', backgroundColor: tokens.colorNeutralBackground2 },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, flexGrow: 1 },
  body: { display: 'flex', flexGrow: 1, minHeight: 0 },
  nav: { padding: tokens.spacingVerticalM, minWidth: '14rem', backgroundColor: tokens.colorNeutralBackground1, borderRight: `1px solid ${tokens.colorNeutralStroke2}` },
  main: { flexGrow: 1, padding: tokens.spacingHorizontalXXL, overflow: 'auto', outline: 'none' },
  skip: {
    position: 'absolute',
    left: '-10000px',
    ':focus': { left: tokens.spacingHorizontalM, top: tokens.spacingVerticalM, zIndex: 10, backgroundColor: tokens.colorNeutralBackground1, padding: tokens.spacingHorizontalS },
  },
});

/** The window: header with language switch, navigation, the current page. */
export function App({ preview }: { readonly preview: boolean }) {
  const { t, i18n } = useTranslation();
  const { theme } = useOsTheme();
  const s = useStyles();
  const [page, setPage] = useState(PAGES[0].id);
  const current = PAGES.find((p) => p.id === page) ?? PAGES[0];

  useEffect(() => {
    bridge.call('settings:get', {}).then((v) => setLanguage(resolveLanguage(v.values.language)), () => undefined);
  }, []);

  return (
    // The layout class goes on an inner element: Fluent copies the provider's className onto every
    // dialog portal, which would paint the page background over the dimmed backdrop.
    <FluentProvider theme={theme}>
      <div className={s.root}>
        <a href="#main" className={s.skip}>
          {t('app.skipToContent')}
        </a>
        <header className={s.header}>
          <Text className={s.brand}>{t('app.title')}</Text>
          <label htmlFor="lang-switch">{t('app.language')}</label>
          <Select
            id="lang-switch"
            value={i18n.language}
            onChange={(_e, d) => {
              const lang = d.value as Lang;
              void setLanguage(lang);
              // Remember the choice; ignore a policy lock here (the switch then lasts this session).
              bridge.call('settings:update', { language: lang }).catch(() => undefined);
            }}
          >
            <option value="sv">{t('language.sv')}</option>
            <option value="en">{t('language.en')}</option>
          </Select>
        </header>
        {preview && (
          <MessageBar intent="info" layout="singleline">
            <MessageBarBody>{t('app.previewBanner')}</MessageBarBody>
          </MessageBar>
        )}
        <div className={s.body}>
          <nav className={s.nav} aria-label={t('app.nav.label')}>
            <TabList vertical selectedValue={page} onTabSelect={(_e, d) => setPage(String(d.value))}>
              {PAGES.map((p) => (
                <Tab key={p.id} value={p.id} icon={p.icon}>
                  {t(p.label)}
                </Tab>
              ))}
            </TabList>
          </nav>
          <main id="main" className={s.main} tabIndex={-1}>
            {current.render()}
          </main>
        </div>
      </div>
    </FluentProvider>
  );
}
