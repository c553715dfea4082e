import { Text, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ResponseOf } from '../../preload/contract';
import { bridge } from '../bridge-client';

const useStyles = makeStyles({ page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM } });

/** About: name, version and host (shown in support calls). */
export function AboutPage() {
  const { t } = useTranslation();
  const s = useStyles();
  const [info, setInfo] = useState<ResponseOf<'app:info'> | null>(null);
  useEffect(() => {
    bridge.call('app:info', {}).then(setInfo, () => setInfo(null));
  }, []);
  return (
    <div className={s.page}>
      <Title2 as="h1">{t('about.title')}</Title2>
      {info && (
        <>
          <Text>{t('about.version', { version: info.version })}</Text>
          <Text>{t('about.host', { host: `${info.host} (${info.platform})` })}</Text>
        </>
      )}
    </div>
  );
}
