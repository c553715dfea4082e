/**
 * The "Import e-ID from file" wizard: the progress list and the component of the current step,
 * driven by the machine (import-machine.ts) through useImportWizard. Pairing a certificate with a
 * key in the keystore runs in the same wizard (a certificates-only .p12, or a certificate file,
 * each shown first on the certificates-only step).
 */
import { Button, Title2, mergeClasses } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { canPair, isCertificateFile, pairRefusal, pairingFlow, progressSteps, type StepId } from './import-machine';
import { CertificatesOnlyStep } from './steps/certificates-only-step';
import { ContentsStep } from './steps/contents-step';
import { DoneStep } from './steps/done-step';
import { ErrorStep } from './steps/error-step';
import { InstallingStep } from './steps/installing-step';
import { PairPinStep } from './steps/pair-pin-step';
import { PasswordStep } from './steps/password-step';
import { PickStep } from './steps/pick-step';
import { PinStep } from './steps/pin-step';
import { TargetsStep } from './steps/targets-step';
import { useFilesStyles } from './styles';
import { useImportWizard } from './use-import-wizard';

/** Which progress entry a step belongs to (the detours show under the step they branch from). */
function progressOf(step: StepId, returnTo: StepId | undefined): StepId {
  if (step === 'certificates-only') return 'contents';
  if (step === 'pair-pin') return 'pin';
  if (step === 'error') return progressOf(returnTo ?? 'pick', undefined);
  return step;
}

/** The numbered list of steps; the current one is marked for screen readers. Pairing names its own. */
function Progress({ steps, current, pairing }: { readonly steps: readonly StepId[]; readonly current: StepId; readonly pairing: boolean }) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const at = steps.indexOf(current);
  return (
    <ol className={s.progress} aria-label={t('files.wizard.steps')}>
      {steps.map((id, i) => (
        <li key={id} className={mergeClasses(s.progressItem, i < at && s.progressDone, i === at && s.progressCurrent)} aria-current={i === at ? 'step' : undefined}>
          <span className={mergeClasses(s.progressNumber, i === at && s.progressNumberCurrent)} aria-hidden>
            {i + 1}
          </span>
          {pairing && (id === 'pin' || id === 'installing') ? t(`files.wizard.pairStep.${id}`) : t(`files.wizard.step.${id}`)}
        </li>
      ))}
    </ol>
  );
}

/** Props of the wizard. */
export interface ImportWizardProps {
  /** Leave the wizard (Cancel, Close). */
  readonly onClose: () => void;
  /** "Show my e-ID": leave the wizard and show this keystore entry (null: just the list). */
  readonly onShow: (keystoreId: string | null) => void;
}

/** Import an e-ID from a .p12 / .pfx file, or pair a delivered certificate with its key. */
export function ImportWizard({ onClose, onShow }: ImportWizardProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const w = useImportWizard();
  const st = w.state;

  let body;
  switch (st.step) {
    case 'pick':
      body = <PickStep problem={st.fileProblem} reading={w.reading || st.pending !== null} onFiles={(f) => void w.chooseFiles(f)} />;
      break;
    case 'password':
      body = (
        <PasswordStep
          fileName={st.file?.name ?? ''}
          busy={st.pending !== null}
          error={st.passwordError}
          trimmed={st.passwordTrimmed}
          onSubmit={(p) => void w.submitPassword(p)}
          onBack={w.back}
        />
      );
      break;
    case 'contents':
      body = st.report && <ContentsStep report={st.report} passwordTrimmed={st.passwordTrimmed} onNext={w.next} onBack={w.back} />;
      break;
    case 'certificates-only':
      body = st.report && (
        <CertificatesOnlyStep
          report={st.report}
          certificateFile={isCertificateFile(st)}
          holders={st.keyHolders}
          holdersError={st.keyHoldersError}
          refusal={pairRefusal(st.report)}
          canPair={canPair(st)}
          onPair={w.pair}
          onBack={w.back}
          onChooseAnother={w.restart}
          onShow={onShow}
        />
      );
      break;
    case 'pair-pin':
      body = <PairPinStep state={st} onSubmit={w.submitPairPin} onBack={w.back} />;
      break;
    case 'pin':
      body = <PinStep rules={st.pinRules} rulesError={st.pinRulesError} problems={st.pinProblems} refused={st.pinError} onSubmit={w.submitPin} onBack={w.back} />;
      break;
    case 'targets':
      body = <TargetsStep state={st} onTarget={w.setTarget} onRemoveOlder={w.setRemoveOlder} onInstall={() => void w.install()} onBack={w.back} />;
      break;
    case 'installing':
      body = <InstallingStep pairing={st.pairMode} />;
      break;
    case 'done':
      body = st.result && <DoneStep result={st.result} onShow={onShow} onAnother={w.restart} paired={st.paired} holders={st.keyHolders} />;
      break;
    case 'error':
      body = st.error && <ErrorStep error={st.error} certificateFile={isCertificateFile(st)} onRecover={w.recover} />;
      break;
  }

  return (
    <div className={s.wizard} data-testid="import-wizard" data-step={st.step}>
      <div className={s.wizardHead}>
        <Title2 as="h1" className={s.grow}>
          {t('files.wizard.title')}
        </Title2>
        {st.step !== 'done' && (
          <Button appearance="subtle" onClick={onClose} disabled={st.step === 'installing'}>
            {t('files.wizard.cancel')}
          </Button>
        )}
      </div>
      <Progress steps={progressSteps(st)} current={progressOf(st.step, st.error?.returnTo)} pairing={pairingFlow(st)} />
      {body}
    </div>
  );
}
