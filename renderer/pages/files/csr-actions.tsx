/**
 * The two ways a CSR leaves eID Desk for the issuer: copied to the clipboard (to paste into an
 * order form) or saved as a .csr file (to attach). The CSR is public data; the key stays in the
 * keystore. Shared by the key-request list and the dialog that makes a request.
 */
import { Button, Text } from '@fluentui/react-components';
import { ArrowDownloadRegular, CheckmarkRegular, CopyRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFilesStyles } from './styles';

/** Characters no file system takes in a name (Windows is the strictest), and control characters. */
// eslint-disable-next-line no-control-regex
const BAD_FILE_CHARS = /[\\/:*?"<>|\u0000-\u001f]+/g;

/**
 * A file name for a request's CSR: its label made safe for every file system, Å, Ä and Ö kept
 * (users find the file by the name they gave), ending in .csr as issuers' upload forms expect.
 */
export function csrFileName(label: string): string {
  const base = label.replace(BAD_FILE_CHARS, '_').replace(/\s+/g, ' ').trim().replace(/^\.+/, '').slice(0, 80).trim();
  return `${base || 'key-request'}.csr`;
}

/**
 * A link to the CSR as a file: a Blob URL, revoked when the link goes (a data: URL where the
 * environment has no Blob URLs).
 */
function useCsrUrl(pem: string): string {
  const [url, setUrl] = useState('');
  useEffect(() => {
    if (typeof URL.createObjectURL !== 'function') {
      setUrl(`data:application/pkcs10;charset=utf-8,${encodeURIComponent(pem)}`);
      return;
    }
    const u = URL.createObjectURL(new Blob([pem], { type: 'application/pkcs10' }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [pem]);
  return url;
}

/** Props of the CSR buttons. */
export interface CsrActionsProps {
  readonly pem: string;
  /** The request's label: names the file and the buttons for screen readers. */
  readonly label: string;
  readonly size?: 'small' | 'medium';
}

/** "Copy CSR" and "Save CSR". */
export function CsrActions({ pem, label, size = 'medium' }: CsrActionsProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const url = useCsrUrl(pem);
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  useEffect(() => {
    if (copied !== 'yes') return;
    const timer = setTimeout(() => setCopied('no'), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = () => {
    const clip = navigator.clipboard;
    if (!clip) {
      setCopied('failed');
      return;
    }
    clip.writeText(pem).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  };
  return (
    <>
      <Button size={size} icon={copied === 'yes' ? <CheckmarkRegular /> : <CopyRegular />} onClick={copy} aria-label={t('files.requests.copyLabel', { name: label })}>
        {copied === 'yes' ? t('files.requests.copied') : t('files.requests.copy')}
      </Button>
      <Button as="a" size={size} icon={<ArrowDownloadRegular />} href={url || undefined} download={csrFileName(label)} aria-label={t('files.requests.saveLabel', { name: label })}>
        {t('files.requests.save')}
      </Button>
      <span role="status" aria-live="polite" className={s.visuallyHidden}>
        {copied === 'yes' ? t('files.requests.copiedStatus') : ''}
      </span>
      {copied === 'failed' && (
        <Text size={200} role="alert" data-testid="csr-copy-failed">
          {t('files.requests.copyFailed')}
        </Text>
      )}
    </>
  );
}
