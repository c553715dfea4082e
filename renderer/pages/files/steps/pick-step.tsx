/**
 * Step 1: choose the e-ID file with a button (a real file input) or by dropping it on the zone.
 * Name and size are judged before the file is read (see read-file.ts). A certificate delivered for
 * a key request (.cer/.crt/.pem/.p7b/.p7c) is accepted too: it is inspected at once (no password)
 * and goes on to what it holds and which key here it belongs to.
 */
import { MessageBar, MessageBarBody, Spinner, Text, mergeClasses } from '@fluentui/react-components';
import { DocumentArrowUpRegular } from '@fluentui/react-icons';
import { useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { P12_MAX_BYTES } from '../../../../preload/channels/files';
import { FilePickButton } from '../../../components/file-pick-button';
import { CERTIFICATE_EXTENSIONS, P12_EXTENSIONS, type FileProblem } from '../import-machine';
import { useFilesStyles } from '../styles';
import { sizeText } from '../text';
import { StepFrame } from './step-frame';

/** Props of the pick step. */
export interface PickStepProps {
  readonly problem: FileProblem | null;
  readonly reading: boolean;
  readonly onFiles: (files: ArrayLike<File> | null) => void;
}

/** What the file input offers: the extensions, and the MIME types some file managers go by. */
const ACCEPT = [...P12_EXTENSIONS, ...CERTIFICATE_EXTENSIONS, 'application/x-pkcs12', 'application/pkix-cert', 'application/x-x509-ca-cert', 'application/x-pkcs7-certificates'].join(',');

/** Choose or drop a .p12 / .pfx file, or a certificate file. */
export function PickStep({ problem, reading, onFiles }: PickStepProps) {
  const { t, i18n } = useTranslation();
  const s = useFilesStyles();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const onDrag = (e: DragEvent<HTMLDivElement>, entering: boolean) => {
    if (!Array.from(e.dataTransfer?.types ?? []).includes('Files')) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    setOver(entering);
  };

  return (
    <StepFrame
      id="pick"
      heading={t('files.pick.heading')}
      onSubmit={() => input.current?.click()}
    >
      <Text>{t('files.pick.body')}</Text>
      <div
        className={mergeClasses(s.dropZone, over && s.dropZoneActive)}
        data-testid="drop-zone"
        onDragEnter={(e) => onDrag(e, true)}
        onDragOver={(e) => onDrag(e, true)}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          onFiles(e.dataTransfer?.files ?? null);
        }}
      >
        <DocumentArrowUpRegular fontSize={40} aria-hidden />
        <Text aria-hidden>{over ? t('files.pick.dropActive') : t('files.pick.drop')}</Text>
        <FilePickButton
          appearance="primary"
          label={t('files.pick.choose')}
          inputLabel={t('files.pick.inputLabel')}
          accept={ACCEPT}
          disabled={reading}
          onFiles={onFiles}
          inputRef={input}
        />
      </div>
      {reading && <Spinner size="tiny" label={t('files.pick.reading')} />}
      {problem && (
        <MessageBar intent="error" data-testid="file-problem">
          <MessageBarBody>{t(`files.pick.problem.${problem}`, { max: sizeText(P12_MAX_BYTES, i18n.language) })}</MessageBarBody>
        </MessageBar>
      )}
    </StepFrame>
  );
}
