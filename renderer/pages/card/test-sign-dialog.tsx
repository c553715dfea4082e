/**
 * Test signature: choose an e-ID under this PIN, type the PIN, and the card signs a random
 * challenge that is verified against the e-ID's certificate. The answer says verified or not, the
 * algorithm, the key and how long it took (all of it, and the card's signature alone).
 */
import { Button, Field, MessageBar, MessageBarBody, MessageBarTitle, Select, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ResponseOf } from '../../../preload/contract';
import { bridge } from '../../bridge-client';
import { CardDialog, type CardDialogBaseProps } from './card-dialog';
import { cardErrorText, codeOf, type Failure, isCardGone } from './card-text';
import { defaultTestEid, signableEids } from './cards';
import { RemovedNotice } from './operation-notices';
import { PinStatusSummary } from './pin-status';
import { SecretField } from './secret-field';
import { useCardOperation } from './use-card-operation';
import { useFocusOnce } from './use-focus-once';
import { usePinReport } from './use-pin-report';

/** What card:test-sign answers. */
export type TestSignResult = ResponseOf<'card:test-sign'>;

const useStyles = makeStyles({
  result: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalXS, margin: 0 },
  term: { fontWeight: tokens.fontWeightSemibold },
  def: { margin: 0, overflowWrap: 'anywhere' },
  resultBox: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** "Åsa Öberg – Underskrift (Signing)"; the purpose is left out when the label already says it. */
function eidOption(e: { holder: string; label: string; purposes: readonly string[] }, purposeText: (p: string) => string): string {
  const purposes = e.purposes.map(purposeText).filter((p) => p.toLowerCase() !== e.label.trim().toLowerCase());
  return `${e.holder} – ${e.label}${purposes.length ? ` (${purposes.join(', ')})` : ''}`;
}

/** Milliseconds as the user's language writes them (1 234,5 / 1,234.5). */
function ms(n: number, lang: string): string {
  return n.toLocaleString(lang === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: 1 });
}

/** The test-signature dialog. */
export function TestSignDialog({ token, current, onClose }: CardDialogBaseProps) {
  const { t, i18n } = useTranslation();
  const s = useStyles();
  const present = current !== null;
  const live = current ?? token;
  const tokenKey = live.key;
  const status = usePinReport(present ? tokenKey : null);
  const op = useCardOperation('test-sign');
  const eids = signableEids(live);
  const [eidId, setEidId] = useState(() => defaultTestEid(token)?.id ?? '');
  const [pin, setPin] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [result, setResult] = useState<TestSignResult | null>(null);
  const pinRef = useRef<HTMLInputElement>(null);
  const report = status.report;
  const secret = report?.unblock.secretName ?? 'PUK';
  const running = op.view.running;
  const code = failure ? codeOf(failure.error) : undefined;
  const canSubmit = present && eids.some((e) => e.id === eidId) && !(report?.pin.locked ?? false);

  // The e-ID is chosen already (the likely one): once the status is read, focus the PIN.
  useFocusOnce(report !== null, () => pinRef.current);
  useEffect(() => {
    if (failure && codeOf(failure.error) === 'pin-incorrect') pinRef.current?.focus();
  }, [failure]);

  const submit = async () => {
    if (!canSubmit || running) return;
    setSubmitted(true);
    if (pin === '') return pinRef.current?.focus();
    const request = { tokenKey, eidId, pin };
    setPin('');
    setSubmitted(false);
    setFailure(null);
    setResult(null);
    const out = await op.run(tokenKey, () => bridge.call('card:test-sign', request));
    if (!out) return;
    if (out.ok) setResult(out.value);
    else setFailure({ error: out.error, reachedCritical: out.reachedCritical });
    status.reload();
  };

  const ctx = { secret } as const;
  const pinError = submitted && pin === '' ? t('card.rules.pinRequired') : code === 'pin-incorrect' ? cardErrorText(t, failure?.error, ctx) : null;
  const generalError = failure && code !== 'pin-incorrect' && !isCardGone(code) ? (code === 'not-found' ? t('card.errors.eidNotFound') : cardErrorText(t, failure.error, ctx)) : null;
  const chosen = eids.find((e) => e.id === result?.id);
  const keyText = result
    ? result.keyBits !== null
      ? t('card.testSign.keyBits', { type: t(`card.testSign.keyType.${result.keyType}`), bits: result.keyBits })
      : t('card.testSign.keyUnknown', { type: t(`card.testSign.keyType.${result.keyType}`) })
    : '';

  return (
    <CardDialog
      title={t('card.testSign.title')}
      token={token}
      present={present}
      busy={op.view}
      onClose={onClose}
      onSubmit={() => void submit()}
      testId="test-sign-dialog"
      actions={
        <>
          <Button appearance="primary" type="submit" disabledFocusable={running || !canSubmit}>
            {t('card.testSign.submit')}
          </Button>
          <Button disabledFocusable={running} onClick={onClose}>
            {t('card.dialog.close')}
          </Button>
        </>
      }
    >
      <Text>{t('card.testSign.intro')}</Text>
      {!report && status.loading && <Spinner size="tiny" label={t('card.status.loading')} />}
      {report && present && <PinStatusSummary report={report} compact />}
      {eids.length === 0 ? (
        <MessageBar intent="warning">
          <MessageBarBody>{t('card.actions.testSignBlocked')}</MessageBarBody>
        </MessageBar>
      ) : (
        <Field label={t('card.testSign.eid')}>
          <Select value={eidId} onChange={(_e, d) => setEidId(d.value)} disabled={running}>
            {eids.map((e) => (
              <option key={e.id} value={e.id}>
                {eidOption(e, (p) => t(`cards.purpose.${p}`))}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <SecretField label={t('card.status.pin')} value={pin} onChange={setPin} digitsOnly={report?.digitsOnly ?? false} error={pinError} readOnly={running} inputRef={pinRef} testId="pin" />
      {failure && isCardGone(code) && <RemovedNotice operation="test-sign" reachedCritical={failure.reachedCritical} present={present} />}
      {generalError && (
        <MessageBar intent="error" data-testid="dialog-error">
          <MessageBarBody>{generalError}</MessageBarBody>
        </MessageBar>
      )}
      <div role="status" aria-live="polite" data-testid="test-sign-result" className={s.resultBox}>
        {result && (
          <>
            <MessageBar intent={result.verified ? 'success' : 'error'} layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>{result.verified ? t('card.testSign.verified') : t('card.testSign.notVerified')}</MessageBarTitle>
                {result.verified ? t('card.testSign.verifiedText') : t('card.testSign.notVerifiedText')}
              </MessageBarBody>
            </MessageBar>
            <dl className={s.result} aria-label={t('card.testSign.result')}>
              <dt className={s.term}>{t('card.testSign.field.eid')}</dt>
              <dd className={s.def}>{`${result.holder} – ${chosen?.label ?? result.label}`}</dd>
              <dt className={s.term}>{t('card.testSign.field.verified')}</dt>
              <dd className={s.def} data-testid="verified">
                {result.verified ? t('card.testSign.yes') : t('card.testSign.no')}
              </dd>
              <dt className={s.term}>{t('card.testSign.field.algorithm')}</dt>
              <dd className={s.def} data-testid="algorithm">{`${t(`card.testSign.alg.${result.algorithm}`)} (${result.algorithm})`}</dd>
              <dt className={s.term}>{t('card.testSign.field.key')}</dt>
              <dd className={s.def} data-testid="key">
                {keyText}
              </dd>
              <dt className={s.term}>{t('card.testSign.field.time')}</dt>
              <dd className={s.def} data-testid="duration">
                {t('card.testSign.time', { total: ms(result.durationMs, i18n.language), sign: ms(result.signMs, i18n.language) })}
              </dd>
              <dt className={s.term}>{t('card.testSign.field.mechanism')}</dt>
              <dd className={s.def}>{result.mechanism}</dd>
            </dl>
          </>
        )}
      </div>
    </CardDialog>
  );
}
