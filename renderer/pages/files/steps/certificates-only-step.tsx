/**
 * The detour for a file with certificates only: an order made with a CSR, whose key stays where
 * the CSR was made (seed 003). When that was eID Desk (inspection lists the key in `pairable`),
 * the step names the key request (or the e-ID a renewal reuses the key of) and offers to pair
 * them. Otherwise it says plainly that the key is not here, where it may be, and leads back.
 */
import { Button, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text } from '@fluentui/react-components';
import { LinkMultipleRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import { IdentityNumber, Item, ValidityRange } from '../eid-summary';
import type { KeyHolders } from '../import-machine';
import { EntryKeySummary, RequestSummary } from '../key-holder';
import { useFilesStyles } from '../styles';
import type { P12Report, Pairable } from '../types';
import { StepFrame } from './step-frame';

/** Props of the certificates-only step. */
export interface CertificatesOnlyStepProps {
  readonly report: P12Report;
  /** The keystore's requests and e-IDs (to name the key), or null while loading. */
  readonly holders: KeyHolders | null;
  /** Pairing is possible now (a key is named and the file's password is held). */
  readonly canPair: boolean;
  readonly onPair: () => void;
  readonly onBack: () => void;
  readonly onChooseAnother: () => void;
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

/** "This file holds certificates only." */
export function CertificatesOnlyStep({ report, holders, canPair, onPair, onBack, onChooseAnother }: CertificatesOnlyStepProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const leaf = report.leaf;
  const pairable = report.pairable[0];
  return (
    <StepFrame
      id="certificates-only"
      heading={t('files.certificatesOnly.heading')}
      onSubmit={pairable ? (canPair ? onPair : undefined) : onChooseAnother}
      start={<Button onClick={onBack}>{t('files.wizard.back')}</Button>}
      actions={
        pairable ? (
          <Button appearance="primary" type="submit" icon={<LinkMultipleRegular />} disabled={!canPair}>
            {t('files.certificatesOnly.pair')}
          </Button>
        ) : (
          <Button appearance="primary" type="submit">
            {t('files.certificatesOnly.chooseAnother')}
          </Button>
        )
      }
    >
      {pairable ? (
        <MessageBar intent="success" data-testid="certificates-only" data-pairable="true">
          <MessageBarBody>
            <MessageBarTitle>{t('files.certificatesOnly.pairableTitle')}</MessageBarTitle>
            {t('files.certificatesOnly.pairableBody')}
          </MessageBarBody>
        </MessageBar>
      ) : (
        <MessageBar intent="warning" data-testid="certificates-only" data-pairable="false">
          <MessageBarBody>
            <MessageBarTitle>{t('files.certificatesOnly.noKeyTitle')}</MessageBarTitle>
            {t('files.certificatesOnly.noKeyBody')}
          </MessageBarBody>
        </MessageBar>
      )}
      <Text>{t('files.certificatesOnly.body')}</Text>
      {leaf && (
        <>
          {leaf.identity && <IdentityNumber identity={leaf.identity} />}
          <dl className={s.fields}>
            <Item label={t('files.contents.holder')} testId="holder">
              {leaf.subject.CN ?? leaf.subjectDn}
            </Item>
            <Item label={t('files.contents.organisation')}>{leaf.subject.O ?? '–'}</Item>
            <Item label={t('files.contents.validity')}>
              <ValidityRange notBefore={leaf.notBefore} notAfter={leaf.notAfter} />
            </Item>
          </dl>
        </>
      )}
      {pairable ? (
        <section aria-labelledby="pair-with-heading" className={s.section}>
          <h3 id="pair-with-heading" className={s.subheading}>
            {t('files.certificatesOnly.pairWithTitle')}
          </h3>
          <PairableKey pairable={pairable} holders={holders} />
        </section>
      ) : (
        <Text>{t('files.certificatesOnly.noKeyDeleted')}</Text>
      )}
    </StepFrame>
  );
}
