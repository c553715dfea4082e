/**
 * "Create key and certificate request": the card makes a key pair (the private key never leaves
 * it) and signs a CSR with it. The subject is the card's current e-ID's unless the user types
 * another. The CSR is public: it is shown to copy or save, with what to do next (send it to the
 * issuer; when the certificate comes, Write certificate puts it next to the key).
 */
import { Checkbox, Field, Input, MessageBar, MessageBarBody, Radio, RadioGroup, Spinner, Text, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RequestOf, ResponseOf } from '../../../preload/contract';
import { bridge } from '../../bridge-client';
import { CsrActions } from '../files/csr-actions';
import type { CardDialogBaseProps } from './card-dialog';
import { currentEidOf } from './cards';
import { KeyDialog, PinField, useCardPinForm, useKeyListStyles } from './card-pin-form';

/** What card:keygen answers. */
export type KeygenResult = ResponseOf<'card:keygen'>;
type Algorithm = RequestOf<'card:keygen'>['algorithm'];

const ALGORITHMS: readonly Algorithm[] = ['rsa2048', 'rsa3072', 'ec-p256'];

const useStyles = makeStyles({
  csr: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, minHeight: '10rem' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
});

/** The key generation dialog. */
export function KeygenDialog({ token, current, onClose }: CardDialogBaseProps) {
  const { t } = useTranslation();
  const s = useStyles();
  const l = useKeyListStyles();
  const form = useCardPinForm('keygen', token, current);
  const fromCard = currentEidOf(current ?? token);
  const [algorithm, setAlgorithm] = useState<Algorithm>('rsa2048');
  const [typeOwn, setTypeOwn] = useState(!fromCard);
  const [subject, setSubject] = useState('');
  const [subjectMissing, setSubjectMissing] = useState(false);
  const [result, setResult] = useState<KeygenResult | null>(null);
  const subjectRef = useRef<HTMLInputElement>(null);
  const ownSubject = typeOwn || !fromCard;
  const running = form.op.view.running;

  useEffect(() => {
    if (subjectMissing) subjectRef.current?.focus();
  }, [subjectMissing]);

  const submit = async () => {
    if (running) return;
    const typed = subject.trim();
    setSubjectMissing(ownSubject && typed === '');
    if (ownSubject && typed === '') return;
    const out = await form.submit((pin) => bridge.call('card:keygen', { tokenKey: form.tokenKey, algorithm, pin, ...(ownSubject ? { subject: typed } : {}) }));
    if (out) setResult(out);
  };

  return (
    <KeyDialog
      title={t('card.keygen.title')}
      token={token}
      form={form}
      submitLabel={t('card.keygen.submit')}
      ready
      done={result !== null}
      onSubmit={() => void submit()}
      onClose={onClose}
      testId="keygen-dialog"
    >
      {result ? (
        <div role="status" aria-live="polite" data-testid="keygen-result">
          <MessageBar intent="success" layout="multiline">
            <MessageBarBody>{t('card.keygen.done')}</MessageBarBody>
          </MessageBar>
          <dl className={l.list} aria-label={t('card.keygen.resultLabel')}>
            <dt className={l.term}>{t('card.keygen.subject')}</dt>
            <dd className={l.def} data-testid="keygen-subject">
              {result.subjectDn}
            </dd>
            <dt className={l.term}>{t('card.keygen.algorithm')}</dt>
            <dd className={l.def}>{t(`card.keygen.alg.${result.algorithm}`)}</dd>
            <dt className={l.term}>{t('card.keygen.keyId')}</dt>
            <dd className={l.def}>{`${result.label} (${result.id})`}</dd>
          </dl>
          <Field label={t('card.keygen.csr')}>
            <Textarea readOnly value={result.csrPem} resize="vertical" textarea={{ className: s.csr, spellCheck: false }} data-testid="keygen-csr" />
          </Field>
          <div className={s.actions}>
            <CsrActions pem={result.csrPem} label={result.label} />
          </div>
          <Text as="p" data-testid="keygen-next">
            {t('card.keygen.next')}
          </Text>
        </div>
      ) : (
        <>
          <Text>{t('card.keygen.intro')}</Text>
          <Field label={t('card.keygen.algorithm')}>
            <RadioGroup value={algorithm} onChange={(_e, d) => setAlgorithm(d.value as Algorithm)} disabled={running}>
              {ALGORITHMS.map((a) => (
                <Radio key={a} value={a} label={t(`card.keygen.alg.${a}`)} />
              ))}
            </RadioGroup>
          </Field>
          {fromCard ? (
            <>
              <Text data-testid="keygen-card-subject">{t('card.keygen.subjectFromCard', { subject: fromCard.certificate.subjectDn })}</Text>
              <Checkbox checked={typeOwn} onChange={(_e, d) => setTypeOwn(d.checked === true)} disabled={running} label={t('card.keygen.typeOwn')} />
            </>
          ) : (
            <Text>{t('card.keygen.noCardSubject')}</Text>
          )}
          {ownSubject && (
            <Field label={t('card.keygen.subject')} hint={t('card.keygen.subjectHint')} validationMessage={subjectMissing ? t('card.keygen.subjectRequired') : undefined}>
              <Input ref={subjectRef} value={subject} onChange={(_e, d) => setSubject(d.value)} readOnly={running} maxLength={1024} placeholder="CN=Åsa Öberg, O=Region, C=SE" />
            </Field>
          )}
          {!form.report && form.loading && <Spinner size="tiny" label={t('card.status.loading')} />}
          <PinField form={form} />
        </>
      )}
    </KeyDialog>
  );
}
