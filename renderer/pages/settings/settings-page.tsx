import { Button, Checkbox, Field, MessageBar, MessageBarBody, Select, Textarea, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { LockClosedRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ResponseOf } from '../../../preload/contract';
import { bridge } from '../../bridge-client';
import { errorText, resolveLanguage, setLanguage } from '../../i18n';

type SettingsView = ResponseOf<'settings:get'>;

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '40rem' },
});

/** Settings: language and PKCS#11 modules. Keys locked by machine policy are shown locked. */
export function SettingsPage({ onSaved }: { readonly onSaved?: (v: SettingsView) => void }) {
  const { t } = useTranslation();
  const s = useStyles();
  const [view, setView] = useState<SettingsView | null>(null);
  const [modules, setModules] = useState('');
  const [autoDetect, setAutoDetect] = useState(true);
  const [language, setLang] = useState<'system' | 'sv' | 'en'>('system');
  const [message, setMessage] = useState<{ intent: 'success' | 'error'; text: string } | null>(null);

  useEffect(() => {
    bridge.call('settings:get', {}).then((v) => {
      setView(v);
      setModules(v.values.pkcs11Modules.join('\n'));
      setAutoDetect(v.values.autoDetectModules);
      setLang(v.values.language);
    }, (e) => setMessage({ intent: 'error', text: errorText(t, e) }));
  }, [t]);

  const locked = (k: keyof SettingsView['values']) => view?.locked.includes(k) ?? false;
  const lockHint = (k: keyof SettingsView['values']) => (locked(k) ? { validationState: 'none' as const, validationMessage: t('settings.locked'), validationMessageIcon: <LockClosedRegular /> } : {});

  async function save() {
    if (!view) return;
    const patch: Record<string, unknown> = {};
    if (!locked('pkcs11Modules')) patch.pkcs11Modules = modules.split('\n').map((l) => l.trim()).filter(Boolean);
    if (!locked('autoDetectModules')) patch.autoDetectModules = autoDetect;
    if (!locked('language')) patch.language = language;
    try {
      const v = await bridge.call('settings:update', patch);
      setView(v);
      await setLanguage(resolveLanguage(v.values.language));
      setMessage({ intent: 'success', text: t('settings.saved') });
      onSaved?.(v);
    } catch (e) {
      setMessage({ intent: 'error', text: errorText(t, e) });
    }
  }

  return (
    <form
      className={s.form}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Title2 as="h1">{t('settings.title')}</Title2>
      {message && (
        <MessageBar intent={message.intent}>
          <MessageBarBody>{message.text}</MessageBarBody>
        </MessageBar>
      )}
      <Field label={t('app.language')} hint={t('settings.languageHelp')} {...lockHint('language')}>
        <Select value={language} disabled={locked('language')} onChange={(_e, d) => setLang(d.value as typeof language)}>
          <option value="system">{t('language.system')}</option>
          <option value="sv">{t('language.sv')}</option>
          <option value="en">{t('language.en')}</option>
        </Select>
      </Field>
      <Field label={t('settings.modules')} hint={t('settings.modulesHelp')} {...lockHint('pkcs11Modules')}>
        <Textarea value={modules} disabled={locked('pkcs11Modules')} onChange={(_e, d) => setModules(d.value)} resize="vertical" rows={4} />
      </Field>
      <Checkbox checked={autoDetect} disabled={locked('autoDetectModules')} onChange={(_e, d) => setAutoDetect(Boolean(d.checked))} label={t('settings.autoDetect')} />
      <div>
        <Button appearance="primary" type="submit" disabled={!view}>
          {t('settings.save')}
        </Button>
      </div>
    </form>
  );
}
