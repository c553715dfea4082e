/**
 * "Write certificate to card": the certificate the issuer sent for a CSR made on this card is
 * picked as a file, shown (whom it is for, valid until) before any PIN is asked, and written next
 * to its key. Main refuses, writing nothing, when no key on the card belongs to it.
 */
import { MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ResponseOf } from '../../../preload/contract';
import { bridge } from '../../bridge-client';
import { FilePickButton } from '../../components/file-pick-button';
import { formatDate } from '../../format';
import { errorText } from '../../i18n';
import { fileKind, type FileProblem, type PickedFile } from '../files/import-machine';
import { readPickedFile } from '../files/read-file';
import type { CardDialogBaseProps } from './card-dialog';
import { KeyDialog, PinField, useCardPinForm, useKeyListStyles } from './card-pin-form';

/** What card:write-cert answers. */
export type WriteCertResult = ResponseOf<'card:write-cert'>;

/** The certificate picked, as `certificate:inspect` described it. */
interface Picked {
  readonly file: PickedFile;
  readonly holder: string;
  readonly subjectDn: string;
  readonly notAfter: string;
  readonly validity: 'valid' | 'expired' | 'not-yet-valid';
}

const ACCEPT = '.cer,.crt,.pem,.der';

/** The write-certificate dialog. */
export function WriteCertDialog({ token, current, onClose }: CardDialogBaseProps) {
  const { t, i18n } = useTranslation();
  const l = useKeyListStyles();
  const form = useCardPinForm('write-cert', token, current);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [reading, setReading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<WriteCertResult | null>(null);
  const running = form.op.view.running;

  const onFiles = async (files: FileList | null) => {
    setProblem(null);
    setPicked(null);
    const name = files?.[0]?.name ?? '';
    if (files?.length === 1 && fileKind(name) !== 'certificate') return setProblem(t('card.writeCert.problem.wrong-type'));
    setReading(true);
    try {
      const read = await readPickedFile(files);
      if (!read.ok) return setProblem(t(`card.writeCert.problem.${read.problem satisfies FileProblem}`));
      const report = await bridge.call('certificate:inspect', { fileName: read.file.name, data: read.file.data });
      const leaf = report.leaf ?? report.certificates[0];
      if (!leaf) return setProblem(t('card.errors.notCertificate'));
      setPicked({ file: read.file, holder: leaf.subject.CN ?? leaf.subjectDn, subjectDn: leaf.subjectDn, notAfter: leaf.notAfter, validity: leaf.validity });
    } catch (err) {
      setProblem(errorText(t, err));
    } finally {
      setReading(false);
    }
  };

  const submit = async () => {
    if (!picked || running) return;
    const out = await form.submit((pin) => bridge.call('card:write-cert', { tokenKey: form.tokenKey, fileName: picked.file.name, data: picked.file.data, pin }));
    if (out) setResult(out);
  };

  return (
    <KeyDialog
      title={t('card.writeCert.title')}
      token={token}
      form={form}
      submitLabel={t('card.writeCert.submit')}
      ready={picked !== null}
      done={result !== null}
      onSubmit={() => void submit()}
      onClose={onClose}
      testId="write-cert-dialog"
    >
      {result ? (
        <div role="status" aria-live="polite" data-testid="write-cert-result">
          <MessageBar intent="success" layout="multiline">
            <MessageBarBody>{t('card.writeCert.done', { label: result.label })}</MessageBarBody>
          </MessageBar>
          <dl className={l.list} aria-label={t('card.writeCert.resultLabel')}>
            <dt className={l.term}>{t('card.writeCert.subject')}</dt>
            <dd className={l.def}>{result.subjectDn}</dd>
            <dt className={l.term}>{t('card.writeCert.validUntil')}</dt>
            <dd className={l.def}>{formatDate(result.notAfter, i18n.language)}</dd>
            <dt className={l.term}>{t('card.keygen.keyId')}</dt>
            <dd className={l.def}>{`${result.label} (${result.id})`}</dd>
          </dl>
        </div>
      ) : (
        <>
          <Text>{t('card.writeCert.intro')}</Text>
          <div>
            <FilePickButton
              label={picked ? t('card.writeCert.chooseOther') : t('card.writeCert.choose')}
              inputLabel={t('card.writeCert.inputLabel')}
              accept={ACCEPT}
              disabled={reading || running}
              onFiles={(files) => void onFiles(files)}
            />
          </div>
          {reading && <Spinner size="tiny" label={t('card.writeCert.reading')} />}
          {problem && (
            <MessageBar intent="error" data-testid="file-problem">
              <MessageBarBody>{problem}</MessageBarBody>
            </MessageBar>
          )}
          {picked && (
            <dl className={l.list} aria-label={t('card.writeCert.pickedLabel')} data-testid="write-cert-picked">
              <dt className={l.term}>{t('card.writeCert.file')}</dt>
              <dd className={l.def}>{picked.file.name}</dd>
              <dt className={l.term}>{t('card.writeCert.holder')}</dt>
              <dd className={l.def}>{picked.holder}</dd>
              <dt className={l.term}>{t('card.writeCert.subject')}</dt>
              <dd className={l.def}>{picked.subjectDn}</dd>
              <dt className={l.term}>{t('card.writeCert.validUntil')}</dt>
              <dd className={l.def}>
                {formatDate(picked.notAfter, i18n.language)}
                {picked.validity !== 'valid' ? ` (${t(`card.writeCert.validity.${picked.validity}`)})` : ''}
              </dd>
            </dl>
          )}
          {picked && <PinField form={form} />}
        </>
      )}
    </KeyDialog>
  );
}
