/**
 * Step 3: what is inside the file, before anything is stored: holder, organisation, the identity
 * number (prominent, with a copy button), validity, purpose, the chain and the key. Files that
 * cannot be installed (a key without certificate, a key that does not match) say so plainly and
 * stop here; an e-ID already in the keystore says so and may go on to the certificate store.
 * The holder's certificate is shown by LeafDetails, which the certificates-only step (a .p12
 * without key, or a certificate file) uses too, so a delivered certificate reads the same.
 */
import { Badge, Button, MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { CheckmarkCircleRegular, WarningRegular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../../../format';
import { Item, IdentityNumber, ValidityRange, commonName, keyText } from '../eid-summary';
import { canInstallReport } from '../import-machine';
import { useFilesStyles } from '../styles';
import type { P12Certificate, P12Report } from '../types';
import { StepFrame } from './step-frame';

/** Props of the contents step. */
export interface ContentsStepProps {
  readonly report: P12Report;
  readonly passwordTrimmed: boolean;
  readonly onNext: () => void;
  readonly onBack: () => void;
}

/** The chain of the holder's certificate, link by link, and what its status means. */
export function ChainView({ report }: { readonly report: P12Report }) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const chain = report.chain;
  if (!chain) return null;
  const ok = chain.status === 'trusted';
  return (
    <div data-testid="chain">
      <Text weight="semibold" block>
        {ok ? <CheckmarkCircleRegular aria-hidden /> : <WarningRegular aria-hidden />} {t(`files.contents.chainStatus.${chain.status}`)}
      </Text>
      <ol className={s.chain}>
        {chain.links.slice(1).map((l) => (
          <li key={l.fingerprintSha256}>
            {commonName(l.subjectDn)} <span className={s.muted}>({t(`files.contents.chainSource.${l.source}`)})</span>
          </li>
        ))}
      </ol>
      {!ok && (
        <Text size={200} className={s.muted} block>
          {chain.status === 'untrusted-root' ? t('files.contents.chainUnknownIssuer') : t('files.contents.chainProblem')}
        </Text>
      )}
    </div>
  );
}

/** Props of the holder's certificate as the wizard shows it. */
export interface LeafDetailsProps {
  readonly report: P12Report;
  readonly leaf: P12Certificate;
  /** Shown under the identity number, before the details (validity warnings). */
  readonly children?: ReactNode;
}

/**
 * The holder's certificate: name, identity number with its copy button, organisation, validity,
 * purpose, the private key of the file (if it has one), the issuer and the chain. What the user
 * checks to know it is the certificate they ordered and not an old one (seed 003).
 */
export function LeafDetails({ report, leaf, children }: LeafDetailsProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const pair = report.pairs[0];
  const key = report.keyDetails.find((k) => k.index === pair?.keyIndex) ?? report.keyDetails[0];
  return (
    <>
      <Text size={500} weight="semibold" data-testid="holder">
        {leaf.subject.CN ?? leaf.subjectDn}
      </Text>
      {leaf.identity && <IdentityNumber identity={leaf.identity} hint={t('files.contents.identityHint')} />}
      {children}
      <dl className={s.fields}>
        <Item label={t('files.contents.holder')}>{leaf.subject.CN ?? '–'}</Item>
        <Item label={t('files.contents.organisation')} testId="organisation">
          {leaf.subject.O ?? '–'}
        </Item>
        <Item label={t('files.contents.validity')} testId="validity">
          <ValidityRange notBefore={leaf.notBefore} notAfter={leaf.notAfter} />
        </Item>
        <Item label={t('files.contents.purpose')}>
          {leaf.purposes.length
            ? leaf.purposes.map((p) => (
                <Badge key={p} appearance="outline">
                  {t(`cards.purpose.${p}`)}
                </Badge>
              ))
            : '–'}
        </Item>
        {key && <Item label={t('files.contents.key')}>{t('files.contents.keyValue', { algorithm: keyText(key) })}</Item>}
        <Item label={t('files.contents.chain')}>{commonName(leaf.issuerDn)}</Item>
      </dl>
      <ChainView report={report} />
    </>
  );
}

/** What is in the file. */
export function ContentsStep({ report, passwordTrimmed, onNext, onBack }: ContentsStepProps) {
  const { t, i18n } = useTranslation();
  const s = useFilesStyles();
  const leaf = report.leaf;
  const installable = canInstallReport(report);

  return (
    <StepFrame
      id="contents"
      heading={t('files.contents.heading')}
      onSubmit={installable ? onNext : undefined}
      start={<Button onClick={onBack}>{t('files.wizard.back')}</Button>}
      actions={
        <Button appearance="primary" type="submit" disabled={!installable}>
          {t('files.wizard.next')}
        </Button>
      }
    >
      {passwordTrimmed && (
        <Text size={200} className={s.muted}>
          {t('files.password.trimmed')}
        </Text>
      )}
      {report.keyOnly && (
        <MessageBar intent="error" data-testid="key-only">
          <MessageBarBody>{t('files.contents.keyOnly')}</MessageBarBody>
        </MessageBar>
      )}
      {report.keyMismatch && (
        <MessageBar intent="error">
          <MessageBarBody>{t('files.contents.keyMismatch')}</MessageBarBody>
        </MessageBar>
      )}
      {report.inKeystore && (
        <MessageBar intent="info" data-testid="already-in-keystore">
          <MessageBarBody>{t('files.contents.alreadyInKeystore')}</MessageBarBody>
        </MessageBar>
      )}
      {leaf && (
        <LeafDetails report={report} leaf={leaf}>
          {leaf.validity === 'expired' && (
            <MessageBar intent="warning">
              <MessageBarBody>{t('files.contents.expired')}</MessageBarBody>
            </MessageBar>
          )}
          {leaf.validity === 'not-yet-valid' && (
            <MessageBar intent="warning">
              <MessageBarBody>{t('files.contents.notYetValid', { date: formatDate(leaf.notBefore, i18n.language) })}</MessageBarBody>
            </MessageBar>
          )}
        </LeafDetails>
      )}
      <Text size={200} className={s.muted}>
        {t('files.contents.fileHolds', {
          certificates: t('files.contents.certificates', { count: report.certificates.length }),
          keys: t('files.contents.keys', { count: report.keys }),
        })}
      </Text>
    </StepFrame>
  );
}
