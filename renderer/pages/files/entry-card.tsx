/**
 * One e-ID on file on the page: holder, organisation, identity number with copy, validity with
 * expired / expires-soon, where it is installed, the wrong-PIN state, and its actions.
 */
import { Button, Card, Title3 } from '@fluentui/react-components';
import { CertificateRegular, DeleteRegular, HistoryRegular, KeyResetRegular } from '@fluentui/react-icons';
import { forwardRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../../format';
import { IdentityNumber, Item, PinStateBadge, ValidityBadge, keyText } from './eid-summary';
import { useFilesStyles } from './styles';
import { storeName } from './text';
import type { KeystoreEntry } from './types';

/** What the card's buttons open. */
export type EntryAction = 'details' | 'change-pin' | 'older' | 'delete';

/** Props of an entry card. */
export interface EntryCardProps {
  readonly entry: KeystoreEntry;
  readonly onAction: (action: EntryAction, entry: KeystoreEntry) => void;
}

/** An e-ID on file. */
export const EntryCard = forwardRef<HTMLDivElement, EntryCardProps>(function EntryCard({ entry, onAction }, ref) {
  const { t, i18n } = useTranslation();
  const s = useFilesStyles();
  const headingId = `entry-${entry.id}`;
  const name = entry.holder;
  return (
    <Card ref={ref} tabIndex={-1} className={s.card} role="region" aria-labelledby={headingId} data-testid="file-eid" data-id={entry.id}>
      <div className={s.cardHead}>
        <CertificateRegular fontSize={24} aria-hidden />
        <Title3 as="h2" id={headingId} className={s.heading}>
          {name}
        </Title3>
        <ValidityBadge validity={entry.validity} notAfter={entry.notAfter} />
        <PinStateBadge pin={entry.pin} />
      </div>
      {entry.identity && <IdentityNumber identity={entry.identity} />}
      <dl className={s.fields}>
        <Item label={t('files.entry.organisation')} testId="entry-organisation">
          {entry.organisation ?? '–'}
        </Item>
        <Item label={t('files.entry.validTo')}>{formatDate(entry.notAfter, i18n.language)}</Item>
        <Item label={t('files.entry.keyAlgorithm')}>{keyText(entry.certificate.publicKey)}</Item>
        <Item label={t('files.entry.installed')} testId="entry-installed">
          <ul className={s.plainList}>
            <li>{t('files.store.keystore')}</li>
            {entry.installs.map((r) => (
              <li key={`${r.kind}:${r.location}`}>{t('files.store.at', { store: storeName(t, r.kind), location: r.location })}</li>
            ))}
          </ul>
        </Item>
      </dl>
      <div className={s.actions}>
        <Button icon={<CertificateRegular />} onClick={() => onAction('details', entry)} aria-label={t('files.entry.detailsLabel', { name })}>
          {t('files.entry.details')}
        </Button>
        <Button icon={<KeyResetRegular />} onClick={() => onAction('change-pin', entry)} aria-label={t('files.entry.changePinLabel', { name })}>
          {t('files.entry.changePin')}
        </Button>
        <Button icon={<HistoryRegular />} onClick={() => onAction('older', entry)} aria-label={t('files.entry.olderLabel', { name })}>
          {t('files.entry.older')}
        </Button>
        <Button icon={<DeleteRegular />} onClick={() => onAction('delete', entry)} aria-label={t('files.entry.deleteLabel', { name })}>
          {t('files.entry.delete')}
        </Button>
      </div>
    </Card>
  );
});
