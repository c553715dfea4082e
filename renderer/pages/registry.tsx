/**
 * The pages of the app, in navigation order. A new page (a wizard, the PIN page, the checks) is
 * one entry here plus its strings; the shell builds the navigation from this list.
 */
import { ContactCardRegular, DocumentKeyRegular, InfoRegular, SettingsRegular, ShieldKeyholeRegular } from '@fluentui/react-icons';
import type { ReactElement } from 'react';
import { AboutPage } from './about-page';
import { CardPage } from './card/card-page';
import { FilesPage } from './files/files-page';
import { MyEidsPage } from './my-eids/my-eids-page';
import { SettingsPage } from './settings/settings-page';

/** One navigable page. */
export interface PageDef {
  id: string;
  /** i18n key of the navigation label. */
  label: string;
  icon: ReactElement;
  render: () => ReactElement;
}

/** All pages. */
export const PAGES: readonly PageDef[] = [
  { id: 'my-eids', label: 'app.nav.myEids', icon: <ContactCardRegular />, render: () => <MyEidsPage /> },
  { id: 'card', label: 'app.nav.card', icon: <ShieldKeyholeRegular />, render: () => <CardPage /> },
  { id: 'files', label: 'files.nav', icon: <DocumentKeyRegular />, render: () => <FilesPage /> },
  { id: 'settings', label: 'app.nav.settings', icon: <SettingsRegular />, render: () => <SettingsPage /> },
  { id: 'about', label: 'app.nav.about', icon: <InfoRegular />, render: () => <AboutPage /> },
];
