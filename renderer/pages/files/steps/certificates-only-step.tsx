/**
 * What a file with certificates only holds: a .p12 without key, or a certificate file
 * (.cer/.crt/.pem/.p7b/.p7c), both delivered for an order made with a CSR, whose key stays where
 * the CSR was made (seed 003). The holder's certificate is shown exactly as on the contents step
 * (holder, identity number with copy, validity, purpose, chain), so the user can check it is the
 * certificate they ordered and not an old one, before any PIN.
 *
 * When that key is in eID Desk (inspection lists it in `pairable`), the step names the key request
 * (or the e-ID a renewal reuses the key of) and offers to pair them. Otherwise it says why not,
 * before anything is typed: already an e-ID here, no key here (and where it may be), or a
 * certificate main would refuse (a CA certificate, expired, not yet valid).
 */
import { Button, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text } from '@fluentui/react-components';
import { LinkMultipleRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../i18n';
import type { KeyHolders, PairRefusal } from '../import-machine';
import { EntryKeySummary, RequestSummary } from '../key-holder';
import { useFilesStyles } from '../styles';
import { reasonText } from '../text';
import type { P12Report, Pairable, UiError } from '../types';
import { LeafDetails } from './contents-step';
import { StepFrame } from './step-frame';

/** Props of the certificates-only step. */
export interface CertificatesOnlyStepProps {
  readonly report: P12Report;
  /** A certificate file (.cer/.pem/.p7b) rather than a .p12 without key. */
  readonly certificateFile: boolean;
  /** The keystore's requests and e-IDs (to name the key), or null while loading. */
  readonly holders: KeyHolders | null;
  readonly holdersError: UiError | null;
  /** Why the certificate cannot be paired here, or null. */
  readonly refusal: PairRefusal | null;
  /** Pairing is possible now (a key is named, the certificate can be paired, the password is held). */
  readonly canPair: boolean;
  readonly onPair: () => void;
  readonly onBack: () => void;
  readonly onChooseAnother: () => void;
  /** Leave the wizard and show this keystore entry (for a certificate that is already an e-ID here). */
  readonly onShow: (keystoreId: string) => void;
}

/** The key `pairable` names, with its details once the keystore has been read. */
export function PairableKey({ pairable, holders }: { readonly pairable: Pairable; readonly holders: KeyHolders | null }) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const request = pairable.kind === 'request' ? holders?.requests.find((r) => r.id === pairable.id) : undefined;
  const entry = pairable.kind === 'entry' ? holders?.entries.find((e) => e.id === pairable.id) : undefined;
  return (
    <div className={s.keyBox} data-testid="pair-with" data-kind={pairable.kind}>
      <Text size={200} className={s.muted}>
        {pairable.kind === 'request' ? t('files.certificatesOnly.keyRequest') : t('files.certificatesOnly.keyEntry')}
      </Text>
      {request ? (
        <RequestSummary request={request} />
      ) : entry ? (
        <EntryKeySummary entry={entry} />
      ) : (
        <>
          <h3 className={s.holderHeading}>{pairable.label}</h3>
          {!holders && <Spinner size="extra-tiny" label={t('files.pairPin.loadingKeys')} />}
        </>
      )}
    </div>
  );
}

/** The notice at the top: the key is here and can take the certificate, or why it cannot. */
function KeyNotice({ refusal, report }: { readonly refusal: PairRefusal | null; readonly report: P12Report }) {
  const { t, i18n } = useTranslation();
  if (refusal === null) {
    return (
      <MessageBar intent="success" data-testid="certificates-only" data-pairable="true">
        <MessageBarBody>
          <MessageBarTitle>{t('files.certificatesOnly.pairableTitle')}</MessageBarTitle>
          {t('files.certificatesOnly.pairableBody')}
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (refusal === 'already-in-keystore') {
    return (
      <MessageBar intent="info" data-testid="certificates-only" data-pairable="false" data-refusal={refusal}>
        <MessageBarBody>
          <MessageBarTitle>{t('files.certificatesOnly.alreadyTitle')}</MessageBarTitle>
          {t('files.certificatesOnly.alreadyBody')}
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (refusal === 'no-key-here') {
    return (
      <MessageBar intent="warning" data-testid="certificates-only" data-pairable="false" data-refusal={refusal}>
        <MessageBarBody>
          <MessageBarTitle>{t('files.certificatesOnly.noKeyTitle')}</MessageBarTitle>
          {t('files.certificatesOnly.noKeyBody')}
        </MessageBarBody>
      </MessageBar>
    );
  }
  // The key is here, but main would refuse this certificate: said in the words of its reason.
  const leaf = report.leaf;
  const reason = reasonText(t, i18n.language, { code: 'validation', message: '', details: { reason: refusal, ...(leaf ? { notBefore: leaf.notBefore } : {}) } });
  return (
    <MessageBar intent="error" data-testid="certificates-only" data-pairable="false" data-refusal={refusal}>
      <MessageBarBody>
        <MessageBarTitle>{t('files.certificatesOnly.cannotPairTitle')}</MessageBarTitle>
        {reason}
      </MessageBarBody>
    </MessageBar>
  );
}

/** "This file holds certificates only." */
export function CertificatesOnlyStep({ report, certificateFile, holders, holdersError, refusal, canPair, onPair, onBack, onChooseAnother, onShow }: CertificatesOnlyStepProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const leaf = report.leaf;
  const pairable = refusal === null ? report.pairable[0] : undefined;
  const inKeystore = refusal === 'already-in-keystore' ? report.inKeystore : null;
  const waiting = holders?.requests ?? [];
  return (
    <StepFrame
      id="certificates-only"
      heading={certificateFile ? t('files.certificatesOnly.headingCertificate') : t('files.certificatesOnly.heading')}
      onSubmit={pairable ? (canPair ? onPair : undefined) : onChooseAnother}
      start={<Button onClick={onBack}>{t('files.wizard.back')}</Button>}
      actions={
        pairable ? (
          <Button appearance="primary" type="submit" icon={<LinkMultipleRegular />} disabled={!canPair}>
            {t('files.certificatesOnly.pair')}
          </Button>
        ) : (
          <>
            {inKeystore && <Button onClick={() => onShow(inKeystore)}>{t('files.done.show')}</Button>}
            <Button appearance="primary" type="submit">
              {t('files.certificatesOnly.chooseAnother')}
            </Button>
          </>
        )
      }
    >
      <KeyNotice refusal={refusal} report={report} />
      <Text>{certificateFile ? t('files.certificatesOnly.bodyCertificate') : t('files.certificatesOnly.body')}</Text>
      {leaf && <LeafDetails report={report} leaf={leaf} />}
      <Text size={200} className={s.muted} data-testid="file-holds">
        {t('files.certificatesOnly.fileHolds', { certificates: t('files.contents.certificates', { count: report.certificates.length }) })}
      </Text>
      {pairable && (
        <section aria-labelledby="pair-with-heading" className={s.section}>
          <h3 id="pair-with-heading" className={s.subheading}>
            {t('files.certificatesOnly.pairWithTitle')}
          </h3>
          <PairableKey pairable={pairable} holders={holders} />
        </section>
      )}
      {refusal === 'no-key-here' && (
        <>
          <Text>{t('files.certificatesOnly.noKeyDeleted')}</Text>
          {/* Key requests still waiting: the user sees this certificate is for none of them (the wrong file, or a CSR sent from elsewhere). */}
          {waiting.length > 0 && (
            <details data-testid="waiting-requests">
              <summary>{t('files.certificatesOnly.waitingRequests', { count: waiting.length })}</summary>
              <ul className={s.plainList}>
                {waiting.map((r) => (
                  <li key={r.id} className={s.keyBox}>
                    <RequestSummary request={r} as="h4" />
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
      {holdersError && (
        <MessageBar intent="warning">
          <MessageBarBody>{t('files.pairPin.keysError', { reason: errorText(t, holdersError) })}</MessageBarBody>
        </MessageBar>
      )}
    </StepFrame>
  );
}
