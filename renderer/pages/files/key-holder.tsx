/**
 * A key in the keystore as the pairing steps and the key-request list show it: a key request
 * (label, subject, algorithm, when it was made, its wrong-PIN state) or an e-ID whose key a
 * renewal can reuse. The user recognises "the key made for this order" by exactly these.
 */
import { Text } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { formatDate, formatDateTime } from '../../format';
import { Item, PinStateBadge } from './eid-summary';
import { useFilesStyles } from './styles';
import type { KeyRequest, KeystoreEntry, RequestAlgorithm } from './types';

/** A request's key algorithm in words ("RSA 2048", "EC P-256"). */
export function algorithmText(t: TFunction, alg: RequestAlgorithm): string {
  return t(`files.requests.alg.${alg}`);
}

/** Props of a key request's summary. */
export interface RequestSummaryProps {
  readonly request: KeyRequest;
  /** Heading level of the label (h2 on the page, h3 inside a wizard step). */
  readonly as?: 'h2' | 'h3' | 'h4';
  readonly headingId?: string;
  readonly children?: ReactNode;
}

/** One key request: label, wrong-PIN state, subject, key, created. */
export function RequestSummary({ request, as = 'h3', headingId, children }: RequestSummaryProps) {
  const { t, i18n } = useTranslation();
  const s = useFilesStyles();
  const Heading = as;
  return (
    <>
      <div className={s.cardHead}>
        <Heading id={headingId} className={s.holderHeading}>
          {request.label}
        </Heading>
        <PinStateBadge pin={request.pin} />
      </div>
      <dl className={s.fields}>
        <Item label={t('files.requests.subject')} testId="request-subject" wide>
          {request.subjectDn}
        </Item>
        <Item label={t('files.requests.algorithm')}>{algorithmText(t, request.algorithm)}</Item>
        <Item label={t('files.requests.created')}>{formatDateTime(request.createdAt, i18n.language)}</Item>
      </dl>
      {children}
    </>
  );
}

/** An e-ID whose key a certificate renews: its name, subject and validity. */
export function EntryKeySummary({ entry, as = 'h3' }: { readonly entry: KeystoreEntry; readonly as?: 'h2' | 'h3' | 'h4' }) {
  const { t, i18n } = useTranslation();
  const s = useFilesStyles();
  const Heading = as;
  return (
    <>
      <div className={s.cardHead}>
        <Heading className={s.holderHeading}>{entry.label}</Heading>
        <PinStateBadge pin={entry.pin} />
      </div>
      <dl className={s.fields}>
        <Item label={t('files.requests.subject')} wide>
          {entry.certificate.subjectDn}
        </Item>
        <Item label={t('files.entry.validTo')}>{formatDate(entry.notAfter, i18n.language)}</Item>
        <Item label={t('files.requests.created')}>{formatDateTime(entry.createdAt, i18n.language)}</Item>
      </dl>
      <Text size={200} className={s.muted}>
        {t('files.pairPin.entryNote')}
      </Text>
    </>
  );
}
