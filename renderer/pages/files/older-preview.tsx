/**
 * The preview of an older certificate in the OS store, shown before it is removed (seed 003:
 * "check that it is the valid certificate and not an old one; if an old one is there, remove it").
 * Everything the user needs to recognise it: holder, issuer, identity number, validity, where, and
 * whether its private key goes too.
 */
import { Badge, Text } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { Item, ValidityRange } from './eid-summary';
import { useFilesStyles } from './styles';
import { storeName } from './text';
import type { OlderCertificate } from './types';

/** The removal preview of one older certificate. */
export function OlderPreview({ older }: { readonly older: OlderCertificate }) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const keyNote = older.removesPrivateKey === true ? t('files.older.removesKey') : older.removesPrivateKey === null ? t('files.older.mayRemoveKey') : t('files.older.keepsKey');
  return (
    <>
      <dl className={s.fields}>
        <Item label={t('files.older.holder')}>{older.holder}</Item>
        <Item label={t('files.older.issuer')}>{older.issuer}</Item>
        <Item label={t('files.older.identity')}>{older.identityNumber ?? '–'}</Item>
        <Item label={t('files.older.validity')}>
          <ValidityRange notBefore={older.notBefore} notAfter={older.notAfter} />
          {older.expired && (
            <Badge appearance="filled" color="danger">
              {t('files.older.expired')}
            </Badge>
          )}
        </Item>
      </dl>
      <Text size={200} className={s.muted}>
        {t(`files.older.reason.${older.reason}`)} · {t('files.store.at', { store: storeName(t, older.store), location: older.location })} · {keyNote}
      </Text>
      <Text size={200} className={s.mono}>
        {t('files.older.fingerprint')}: {older.fingerprintSha256}
      </Text>
    </>
  );
}
