/** Renderer entry: language from the OS first (settings may change it right after), then the app. */
import { createRoot } from 'react-dom/client';
import { StrictMode } from 'react';
import { BRIDGE_GLOBAL } from '../preload/contract';
import { App } from './app';
import { initI18n, systemLanguage } from './i18n';

initI18n(systemLanguage());
const preview = !(BRIDGE_GLOBAL in window);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App preview={preview} />
  </StrictMode>,
);
