/**
 * The detour for a file with certificates only: an order made with a CSR, whose key stays where
 * the CSR was made (seed 003). It says so and stops. This step is the seam for pairing the
 * certificate with a key already in the keystore, which comes later: that feature replaces the
 * body and adds its own action here, and the machine's 'certificates-only' step id stays.
 */
import { Button, MessageBar, MessageBarBody, MessageBarTitle, Text } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { IdentityNumber, Item, ValidityRange } from '../eid-summary';
import { useFilesStyles } from '../styles';
import type { P12Report } from '../types';
import { StepFrame } from './step-frame';

/** Props of the certificates-only step. */
export interface CertificatesOnlyStepProps {
  readonly report: P12Report;
  readonly onBack: () => void;
  readonly onChooseAnother: () => void;
}

/** "This file holds certificates only." */
export function CertificatesOnlyStep({ report, onBack, onChooseAnother }: CertificatesOnlyStepProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const leaf = report.leaf;
  return (
    <StepFrame
      id="certificates-only"
      heading={t('files.certificatesOnly.heading')}
      onSubmit={onChooseAnother}
      start={<Button onClick={onBack}>{t('files.wizard.back')}</Button>}
      actions={
        <Button appearance="primary" type="submit">
          {t('files.certificatesOnly.chooseAnother')}
        </Button>
      }
    >
      <MessageBar intent="info" data-testid="certificates-only">
        <MessageBarBody>
          <MessageBarTitle>{t('files.certificatesOnly.body')}</MessageBarTitle>
        </MessageBarBody>
      </MessageBar>
      <Text>{t('files.certificatesOnly.next')}</Text>
      {leaf && (
        <>
          {leaf.identity && <IdentityNumber identity={leaf.identity} />}
          <dl className={s.fields}>
            <Item label={t('files.contents.holder')}>{leaf.subject.CN ?? leaf.subjectDn}</Item>
            <Item label={t('files.contents.organisation')}>{leaf.subject.O ?? '–'}</Item>
            <Item label={t('files.contents.validity')}>
              <ValidityRange notBefore={leaf.notBefore} notAfter={leaf.notAfter} />
            </Item>
          </dl>
        </>
      )}
    </StepFrame>
  );
}
