/**
 * Details of an e-ID in the keystore: the certificate (subject, issuer, serial, fingerprint,
 * validity, key, usages, policies), its chain, and the keystore's own facts (id, where it came
 * from, when it was added, whether the OS protects it too).
 */
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../components/copy-button';
import { formatDateTime } from '../../format';
import { FilesDialog } from './dialog-frame';
import { Item, commonName, keyText } from './eid-summary';
import { useFilesStyles } from './styles';
import type { KeystoreEntry } from './types';

/** Props of the details dialog. */
export interface EntryDetailsDialogProps {
  readonly entry: KeystoreEntry;
  readonly onClose: () => void;
}

/** The details dialog. */
export function EntryDetailsDialog({ entry, onClose }: EntryDetailsDialogProps) {
  const { t, i18n } = useTranslation();
  const s = useFilesStyles();
  const c = entry.certificate;
  const lang = i18n.language;
  return (
    <FilesDialog title={t('files.details.title', { name: entry.holder })} closeLabel={t('files.details.close')} onClose={onClose} maxWidth="52rem" stacked={false}>
      <dl className={s.fields} data-testid="entry-details">
        <Item label={t('cards.details.subject')}>{c.subjectDn}</Item>
        <Item label={t('cards.details.issuer')}>{c.issuerDn}</Item>
        <Item label={t('cards.details.serialNumber')}>
          <span className={s.mono}>{c.serialNumber}</span>
        </Item>
        <Item label={t('cards.details.fingerprint')}>
          <span className={s.mono}>{c.fingerprintSha256}</span>
          <CopyButton value={c.fingerprintSha256} what={t('cards.details.fingerprint')} />
        </Item>
        <Item label={t('cards.details.validity')}>
          {formatDateTime(c.notBefore, lang)} – {formatDateTime(c.notAfter, lang)}
        </Item>
        <Item label={t('cards.details.publicKey')}>{keyText(c.publicKey)}</Item>
        <Item label={t('cards.details.keyUsage')}>{c.keyUsage.join(', ') || '–'}</Item>
        <Item label={t('cards.details.extendedKeyUsage')}>{c.extendedKeyUsage.join(', ') || '–'}</Item>
        <Item label={t('cards.details.policies')}>
          <span className={s.mono}>{c.policies.join(', ') || '–'}</span>
        </Item>
        <Item label={t('files.details.id')}>
          <span className={s.mono}>{entry.id}</span>
        </Item>
        <Item label={t('files.details.label')}>{entry.label}</Item>
        <Item label={t('files.details.source')}>{t(`files.details.sources.${entry.source}`)}</Item>
        <Item label={t('files.details.created')}>{formatDateTime(entry.createdAt, lang)}</Item>
        <Item label={t('files.details.protectedByOs')}>{entry.protectedByOs ? t('files.details.yes') : t('files.details.no')}</Item>
      </dl>
      <h3 className={s.subheading}>{t('files.details.chain')}</h3>
      <ol className={s.chain}>
        {entry.chain.map((l) => (
          <li key={l.fingerprintSha256}>{commonName(l.subjectDn)}</li>
        ))}
      </ol>
    </FilesDialog>
  );
}
