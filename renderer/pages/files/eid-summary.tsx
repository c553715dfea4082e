/**
 * Pieces that show an e-ID the same way in the wizard, on the page and in dialogs: the identity
 * number with its copy button (prominent, seed 003), a label/value list, validity badges, the
 * holder's name from a DN.
 */
import { Badge, Text } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../components/copy-button';
import { formatDate } from '../../format';
import { useFilesStyles } from './styles';
import { EXPIRES_SOON_DAYS, daysUntil, waitText } from './text';
import type { PinState } from './types';

/** An identity number as the bridge sends it. */
export interface IdentityView {
  readonly kind: 'hsa-id' | 'organisation-number' | 'personal-number' | 'other';
  readonly value: string;
}

/** The CN of a DN as CertificateInfo writes it ("CN=Åsa Öberg, O=..."), else the whole DN. */
export function commonName(dn: string): string {
  const m = /(?:^|,\s*)CN=((?:\\.|[^,\\])+)/.exec(dn);
  return m ? m[1].replace(/\\(.)/g, '$1') : dn;
}

/** Key algorithm in words: "RSA 2048", "EC P-256". */
export function keyText(k: { algorithm: string; bits: number | null; curve: string | null }): string {
  const alg = k.algorithm.toUpperCase();
  if (k.curve) return `${alg} ${k.curve}`;
  return k.bits ? `${alg} ${k.bits}` : alg;
}

/** One label and value in a definition list; `wide` gives a long value (a DN) the whole row. */
export function Item({ label, children, testId, wide }: { readonly label: string; readonly children: ReactNode; readonly testId?: string; readonly wide?: boolean }) {
  const s = useFilesStyles();
  return (
    <div className={wide ? s.wide : undefined}>
      <dt className={s.term}>{label}</dt>
      <dd className={s.def} data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

/** The identity number, large, with what kind it is and a copy button. */
export function IdentityNumber({ identity, hint }: { readonly identity: IdentityView; readonly hint?: string }) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const kind = t(`cards.identity.${identity.kind}`);
  return (
    <div className={s.identityBox} role="group" aria-label={kind}>
      <Text className={s.muted}>{kind}</Text>
      <span className={s.identityValue} data-testid="identity-number">
        {identity.value}
      </span>
      <CopyButton value={identity.value} what={kind} />
      {hint && (
        <Text size={200} className={s.muted} block>
          {hint}
        </Text>
      )}
    </div>
  );
}

/** "Expired", "Not yet valid" or "Expires in N days" (within two months), or nothing. */
export function ValidityBadge({ validity, notAfter }: { readonly validity: 'valid' | 'expired' | 'not-yet-valid'; readonly notAfter: string }) {
  const { t } = useTranslation();
  if (validity === 'expired') return <Badge appearance="filled" color="danger">{t('files.entry.expired')}</Badge>;
  if (validity === 'not-yet-valid') return <Badge appearance="tint" color="warning">{t('files.entry.notYetValid')}</Badge>;
  const days = daysUntil(notAfter);
  if (days <= EXPIRES_SOON_DAYS) {
    return (
      <Badge appearance="tint" color="warning" title={t('files.entry.expiresSoonHint')} data-testid="expires-soon">
        {t('files.entry.expiresSoon', { count: Math.max(0, days) })}
      </Badge>
    );
  }
  return <Badge appearance="tint" color="success">{t('files.entry.valid')}</Badge>;
}

/** "2026-01-01 – 2028-01-01" in the user's language. */
export function ValidityRange({ notBefore, notAfter }: { readonly notBefore: string; readonly notAfter: string }) {
  const { t, i18n } = useTranslation();
  return (
    <span>
      {formatDate(notBefore, i18n.language)} {t('files.contents.to')} {formatDate(notAfter, i18n.language)}
    </span>
  );
}

/**
 * The wrong-PIN state of an e-ID or a key request, before anyone types: locked for how long, or how
 * many wrong PINs in a row so far; nothing when all is well.
 */
export function PinStateBadge({ pin }: { readonly pin: PinState }) {
  const { t } = useTranslation();
  if (pin.retryAfterSeconds > 0) {
    return (
      <Badge appearance="filled" color="danger" data-testid="pin-state">
        {t('files.entry.throttled', { time: waitText(t, pin.retryAfterSeconds) })}
      </Badge>
    );
  }
  if (pin.attempts > 0) {
    return (
      <Badge appearance="tint" color="warning" data-testid="pin-state">
        {t('files.entry.wrongPins', { count: pin.attempts })}
      </Badge>
    );
  }
  return null;
}
