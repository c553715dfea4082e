/**
 * "Create key request (CSR)": for an order made with a CSR (seed 003; the Incomes Register's
 * technical-interface certificate, seed 002). The user picks the key type, fills in who the
 * certificate is for, and chooses the PIN the key is kept under (the keystore PIN rules, shown
 * before typing, the PIN twice). Main makes the key pair, keeps the private key in the keystore
 * and hands back the signed CSR, which this dialog then shows with Copy and Save, and says what
 * to do next: send it to the issuer, and import the certificate here when it arrives.
 *
 * The subject is checked here first with main's own rules (request-subject.ts) so nothing is sent
 * that main would refuse; main's refusal, if any, lands on the field it names. The two PINs stay
 * in this dialog only, and are emptied once they are sent and when it closes.
 */
import { Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Radio, RadioGroup, Text, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { bridge } from '../../bridge-client';
import { errorText } from '../../i18n';
import { CsrActions } from './csr-actions';
import { FilesDialog } from './dialog-frame';
import { Item } from './eid-summary';
import { algorithmText } from './key-holder';
import { pinProblems, type PinProblem } from './pin-check';
import { ChoosePin, problemMessage } from './pin-fields';
import { EMPTY_SUBJECT, fieldOfAttribute, subjectDn, subjectProblems, type SubjectFields, type SubjectProblem, type SubjectProblems } from './request-subject';
import { useFilesStyles } from './styles';
import { toUiError, type CreatedRequest, type RequestAlgorithm, type UiError } from './types';
import { usePinRules } from './use-pin-rules';

/** The key types offered, RSA 2048 first: every issuer accepts it (Vero asks for exactly that, seed 002). */
const ALGORITHMS: readonly RequestAlgorithm[] = ['rsa2048', 'rsa3072', 'ec-p256'];

/** Props of the dialog. */
export interface CreateRequestDialogProps {
  readonly onClose: () => void;
  /** A request was made: the page reloads its list (the dialog stays open on the CSR). */
  readonly onCreated: (created: CreatedRequest) => void;
}

function subjectMessage(t: TFunction, p: SubjectProblem | undefined): string | undefined {
  if (!p) return undefined;
  if (p.problem === 'required') return t('files.createRequest.cnMissing');
  if (p.problem === 'too-long') return t('files.createRequest.tooLong', { max: p.max });
  return t('files.createRequest.country');
}

/** The form, then the CSR. */
export function CreateRequestDialog({ onClose, onCreated }: CreateRequestDialogProps) {
  const { t, i18n } = useTranslation();
  const s = useFilesStyles();
  const [alg, setAlg] = useState<RequestAlgorithm>('rsa2048');
  const [fields, setFields] = useState<SubjectFields>(EMPTY_SUBJECT);
  const [label, setLabel] = useState('');
  const [pin, setPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const [subjectErrors, setSubjectErrors] = useState<SubjectProblems>({});
  const [problems, setProblems] = useState<readonly PinProblem[] | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedRequest | null>(null);
  const rules = usePinRules(setError);

  // A message goes as soon as its field is edited: it was about what was there before.
  const set = (key: keyof SubjectFields) => (_e: unknown, d: { value: string }) => {
    setFields((f) => ({ ...f, [key]: d.value }));
    setSubjectErrors(({ [key]: _gone, ...rest }) => rest);
  };
  const onPin = (v: string) => {
    setPin(v);
    setProblems(null);
  };
  const onConfirm = (v: string) => {
    setConfirm(v);
    setProblems(null);
  };
  const close = () => {
    if (busy) return;
    setPin('');
    setConfirm('');
    onClose();
  };

  const submit = async () => {
    if (busy || !rules || created) return;
    const subjectFound = subjectProblems(fields);
    const pinFound = pinProblems(pin, confirm, rules);
    setSubjectErrors(subjectFound);
    setProblems(pinFound.length > 0 ? pinFound : null);
    if (Object.keys(subjectFound).length > 0 || pinFound.length > 0) return;
    setError(null);
    setBusy(true);
    const request = { alg, subject: subjectDn(fields), pin, ...(label.trim() ? { label: label.trim() } : {}) };
    setPin('');
    setConfirm('');
    try {
      const answer = await bridge.call('keystore:create-request', request);
      setCreated(answer);
      onCreated(answer);
    } catch (err) {
      const e = toUiError(err);
      const field = e.code === 'validation' ? fieldOfAttribute(e.details?.attribute) : null;
      if (field) {
        const limit = typeof e.details?.limit === 'number' ? e.details.limit : null;
        setSubjectErrors({ [field]: limit ? { problem: 'too-long', max: limit } : field === 'c' ? { problem: 'country' } : { problem: 'required' } });
      } else if (e.code === 'pin-invalid' && typeof e.details?.rule === 'string') {
        setProblems([e.details.rule as PinProblem]);
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <FilesDialog title={t('files.createRequest.createdTitle')} closeLabel={t('files.createRequest.close')} onClose={close} maxWidth="46rem" testId="request-created">
        <MessageBar intent="success">
          <MessageBarBody>{t('files.createRequest.createdBody')}</MessageBarBody>
        </MessageBar>
        <dl className={s.fields}>
          <Item label={t('files.requests.name')}>{created.label}</Item>
          <Item label={t('files.requests.algorithm')}>{algorithmText(t, created.algorithm)}</Item>
          <Item label={t('files.requests.subject')} testId="created-subject" wide>
            {created.subjectDn}
          </Item>
        </dl>
        <Field label={t('files.createRequest.csr')}>
          <Textarea readOnly value={created.csrPem} resize="vertical" textarea={{ className: s.csr, spellCheck: false }} data-testid="created-csr" />
        </Field>
        <div className={s.actions}>
          <CsrActions pem={created.csrPem} label={created.label} />
        </div>
        <h3 className={s.subheading}>{t('files.createRequest.nextTitle')}</h3>
        <ol className={s.list} data-testid="request-next">
          <li>{t('files.createRequest.next1')}</li>
          <li>{t('files.createRequest.next2')}</li>
          <li>{t('files.createRequest.next3')}</li>
        </ol>
      </FilesDialog>
    );
  }

  const pinMessages = problemMessage(t, i18n.language, problems, rules);
  return (
    <FilesDialog
      title={t('files.createRequest.title')}
      onClose={close}
      maxWidth="46rem"
      testId="create-request"
      form={{
        busy,
        busyLabel: t('files.createRequest.working'),
        cancelLabel: t('files.createRequest.cancel'),
        submitLabel: t('files.createRequest.submit'),
        submitDisabled: !rules,
        onSubmit: () => void submit(),
      }}
    >
      <Text>{t('files.createRequest.body')}</Text>
      {error && (
        <MessageBar intent="error" data-testid="create-request-error">
          <MessageBarBody>
            <MessageBarTitle>{t('files.createRequest.failed')}</MessageBarTitle>
            {error.code === 'validation' ? error.message : errorText(t, error)}
          </MessageBarBody>
        </MessageBar>
      )}
      <h3 className={s.subheading}>{t('files.createRequest.subjectTitle')}</h3>
      <Text size={200} className={s.muted}>
        {t('files.createRequest.subjectHint')}
      </Text>
      <div className={s.formGrid}>
        <Field
          label={t('files.createRequest.cn')}
          required
          hint={t('files.createRequest.cnHint')}
          validationState={subjectErrors.cn ? 'error' : 'none'}
          validationMessage={subjectMessage(t, subjectErrors.cn)}
        >
          <Input autoFocus value={fields.cn} readOnly={busy} onChange={set('cn')} />
        </Field>
        <Field label={t('files.createRequest.o')} validationState={subjectErrors.o ? 'error' : 'none'} validationMessage={subjectMessage(t, subjectErrors.o)}>
          <Input value={fields.o} readOnly={busy} onChange={set('o')} />
        </Field>
        <Field
          label={t('files.createRequest.serialNumber')}
          hint={t('files.createRequest.serialNumberHint')}
          validationState={subjectErrors.serialNumber ? 'error' : 'none'}
          validationMessage={subjectMessage(t, subjectErrors.serialNumber)}
        >
          <Input value={fields.serialNumber} readOnly={busy} spellCheck={false} onChange={set('serialNumber')} />
        </Field>
        <Field
          label={t('files.createRequest.c')}
          hint={t('files.createRequest.cHint')}
          validationState={subjectErrors.c ? 'error' : 'none'}
          validationMessage={subjectMessage(t, subjectErrors.c)}
        >
          <Input className={s.narrow} value={fields.c} readOnly={busy} maxLength={2} spellCheck={false} onChange={set('c')} />
        </Field>
      </div>
      <Field label={t('files.createRequest.algorithm')}>
        <RadioGroup value={alg} onChange={(_e, d) => setAlg(d.value as RequestAlgorithm)} disabled={busy}>
          {ALGORITHMS.map((a) => (
            <Radio key={a} value={a} label={t(`files.createRequest.algorithms.${a}`)} />
          ))}
        </RadioGroup>
      </Field>
      <Field label={t('files.createRequest.label')} hint={t('files.createRequest.labelHint')}>
        <Input value={label} readOnly={busy} maxLength={120} onChange={(_e, d) => setLabel(d.value)} />
      </Field>
      <h3 className={s.subheading}>{t('files.createRequest.pinTitle')}</h3>
      <Text size={200} className={s.muted}>
        {t('files.createRequest.pinBody')}
      </Text>
      <ChoosePin
        rules={rules}
        rulesFailed={error !== null}
        pin={pin}
        confirm={confirm}
        onPin={onPin}
        onConfirm={onConfirm}
        messages={pinMessages}
        readOnly={busy}
        label={t('files.createRequest.pinLabel')}
        confirmLabel={t('files.createRequest.pinConfirmLabel')}
      />
    </FilesDialog>
  );
}
