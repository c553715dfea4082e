import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../components/copy-button';
import { formatDateTime } from '../../format';
import type { CardEidView } from './types';

const useStyles = makeStyles({
  list: { display: 'grid', gridTemplateColumns: 'minmax(10rem, max-content) 1fr', columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalS, margin: 0 },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0, overflowWrap: 'anywhere', fontFamily: 'inherit' },
  mono: { margin: 0, overflowWrap: 'anywhere', fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  extTable: { width: '100%', borderCollapse: 'collapse', marginTop: tokens.spacingVerticalS },
  th: { textAlign: 'left', borderBottom: `1px solid ${tokens.colorNeutralStroke1}`, padding: tokens.spacingVerticalXS },
  td: { verticalAlign: 'top', padding: tokens.spacingVerticalXS, borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, overflowWrap: 'anywhere' },
});

/** The certificate details dialog: subject, issuer, serial, SHA-256 fingerprint, extensions. */
export function EidDetailsDialog({ eid, open, onClose }: { readonly eid: CardEidView; readonly open: boolean; readonly onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const s = useStyles();
  const c = eid.certificate;
  const key = c.publicKey.algorithm === 'rsa' ? `RSA ${c.publicKey.bits}` : c.publicKey.algorithm === 'ec' ? `EC ${c.publicKey.curve}` : c.publicKey.algorithm;
  return (
    <Dialog open={open} onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface aria-describedby={undefined} style={{ maxWidth: '52rem' }}>
        <DialogBody>
          <DialogTitle>{t('cards.eid.detailsFor', { name: eid.holder })}</DialogTitle>
          <DialogContent>
            <dl className={s.list} data-testid="eid-details">
              <dt className={s.term}>{t('cards.details.subject')}</dt>
              <dd className={s.value}>{c.subjectDn}</dd>
              <dt className={s.term}>{t('cards.details.issuer')}</dt>
              <dd className={s.value}>{c.issuerDn}</dd>
              <dt className={s.term}>{t('cards.details.serialNumber')}</dt>
              <dd className={s.mono}>{c.serialNumber}</dd>
              <dt className={s.term}>{t('cards.details.fingerprint')}</dt>
              <dd className={s.mono}>
                {c.fingerprintSha256} <CopyButton value={c.fingerprintSha256} what={t('cards.details.fingerprint')} />
              </dd>
              <dt className={s.term}>{t('cards.details.validity')}</dt>
              <dd className={s.value}>
                {formatDateTime(c.notBefore, i18n.language)} – {formatDateTime(c.notAfter, i18n.language)}
              </dd>
              <dt className={s.term}>{t('cards.details.publicKey')}</dt>
              <dd className={s.value}>{key}</dd>
              <dt className={s.term}>{t('cards.details.keyUsage')}</dt>
              <dd className={s.value}>{c.keyUsage.join(', ') || '–'}</dd>
              <dt className={s.term}>{t('cards.details.extendedKeyUsage')}</dt>
              <dd className={s.value}>{c.extendedKeyUsage.join(', ') || '–'}</dd>
              <dt className={s.term}>{t('cards.details.policies')}</dt>
              <dd className={s.mono}>{c.policies.join(', ') || '–'}</dd>
            </dl>
            <table className={s.extTable}>
              <caption style={{ textAlign: 'left', fontWeight: 600, paddingTop: 12 }}>{t('cards.details.extensions')}</caption>
              <tbody>
                {c.extensions.map((x) => (
                  <tr key={x.oid}>
                    <th scope="row" className={s.th}>
                      {x.name}
                      {x.critical ? ` (${t('cards.details.critical')})` : ''}
                    </th>
                    <td className={s.td}>{x.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onClose}>
              {t('cards.details.close')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
