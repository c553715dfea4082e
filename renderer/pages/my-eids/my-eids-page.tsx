import {
  Badge,
  Button,
  Card,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Switch,
  Text,
  Title2,
  Title3,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular, ContactCardRegular } from '@fluentui/react-icons';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../components/copy-button';
import { PageError } from '../../components/page-error';
import { formatDate } from '../../format';
import { useCards } from '../../hooks/use-cards';
import { EidDetailsDialog } from './eid-details-dialog';
import type { CardEidView, TokenViewData } from './types';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  toolbar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  grow: { flexGrow: 1 },
  card: { padding: tokens.spacingHorizontalL },
  cardHead: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  meta: { display: 'flex', gap: tokens.spacingHorizontalXL, flexWrap: 'wrap', color: tokens.colorNeutralForeground2 },
  eid: {
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
    paddingTop: tokens.spacingVerticalM,
    marginTop: tokens.spacingVerticalM,
  },
  eidHead: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  fields: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(14rem, 1fr))',
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalS,
    margin: `${tokens.spacingVerticalS} 0`,
  },
  field: { margin: 0 },
  term: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  def: { margin: 0, display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS, overflowWrap: 'anywhere' },
  empty: { padding: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

function Field({ label, children }: { readonly label: string; readonly children: React.ReactNode }) {
  const s = useStyles();
  return (
    <div className={s.field}>
      <dt className={s.term}>{label}</dt>
      <dd className={s.def}>{children}</dd>
    </div>
  );
}

function PinBadge({ token }: { readonly token: TokenViewData }) {
  const { t } = useTranslation();
  const p = token.pin;
  if (!p.initialized) return <Badge appearance="tint" color="warning">{t('cards.pin.notInitialized')}</Badge>;
  if (p.locked) return <Badge appearance="filled" color="danger">{t('cards.pin.locked')}</Badge>;
  if (p.finalTry) return <Badge appearance="filled" color="danger">{t('cards.pin.finalTry')}</Badge>;
  if (p.countLow) return <Badge appearance="tint" color="warning">{t('cards.pin.countLow')}</Badge>;
  if (p.toBeChanged) return <Badge appearance="tint" color="warning">{t('cards.pin.toBeChanged')}</Badge>;
  return <Badge appearance="tint" color="success">{t('cards.pin.ok')}</Badge>;
}

function EidItem({ eid }: { readonly eid: CardEidView }) {
  const { t, i18n } = useTranslation();
  const s = useStyles();
  const [open, setOpen] = useState(false);
  const lang = i18n.language;
  const validity = eid.validity === 'valid' ? null : eid.validity === 'expired' ? t('cards.eid.expired') : t('cards.eid.notYetValid');
  const headingId = `eid-${eid.id}-${eid.certificate.fingerprintSha256.slice(0, 8)}`;
  return (
    <section className={s.eid} aria-labelledby={headingId} data-testid="eid">
      <div className={s.eidHead}>
        <Title3 as="h3" id={headingId}>
          {eid.holder}
        </Title3>
        {eid.purposes.map((p) => (
          <Badge key={p} appearance="outline">
            {t(`cards.purpose.${p}`)}
          </Badge>
        ))}
        {validity && (
          <Badge appearance="filled" color="danger">
            {validity}
          </Badge>
        )}
      </div>
      <dl className={s.fields}>
        <Field label={t('cards.eid.organisation')}>{eid.organisation ?? '–'}</Field>
        <Field label={t('cards.eid.validFrom')}>{formatDate(eid.notBefore, lang)}</Field>
        <Field label={t('cards.eid.validTo')}>{formatDate(eid.notAfter, lang)}</Field>
        <Field label={t('cards.eid.assurance')}>
          {eid.assuranceLevel ? t('cards.eid.assuranceValue', { level: eid.assuranceLevel }) : t('cards.eid.unknown')}
        </Field>
        <Field label={t('cards.eid.serviceId')}>
          {eid.identity ? (
            <>
              <span>
                {t(`cards.identity.${eid.identity.kind}`)}: <strong data-testid="identity">{eid.identity.value}</strong>
              </span>
              <CopyButton value={eid.identity.value} what={t(`cards.identity.${eid.identity.kind}`)} />
            </>
          ) : (
            '–'
          )}
        </Field>
        <Field label={t('cards.eid.upn')}>{eid.upn.join(', ') || '–'}</Field>
        <Field label={t('cards.eid.email')}>{eid.emails.join(', ') || '–'}</Field>
        {eid.signingCertificate && (
          <Field label={t('cards.eid.signingCertificate')}>
            <span data-testid="signing-certificate">{eid.signingCertificate === 'present' ? t('cards.eid.present') : t('cards.eid.missing')}</span>
          </Field>
        )}
        <Field label={t('cards.eid.key')}>
          {eid.keyPresent === null ? t('cards.eid.keyHidden') : eid.keyPresent ? t('cards.eid.keyOnCard') : t('cards.eid.keyMissing')}
        </Field>
      </dl>
      <Button onClick={() => setOpen(true)} aria-label={t('cards.eid.detailsFor', { name: `${eid.holder} (${eid.label})` })}>
        {t('cards.eid.details')}
      </Button>
      {open && <EidDetailsDialog eid={eid} open={open} onClose={() => setOpen(false)} />}
    </section>
  );
}

function TokenCard({ token, showInvalid }: { readonly token: TokenViewData; readonly showInvalid: boolean }) {
  const { t } = useTranslation();
  const s = useStyles();
  const visible = token.eids.filter((e) => showInvalid || e.validity === 'valid');
  const hidden = token.eids.length - visible.length;
  return (
    <Card className={s.card} role="region" aria-label={`${t('cards.card')}: ${token.label}`} data-testid="token">
      <div className={s.cardHead}>
        <ContactCardRegular fontSize={28} aria-hidden />
        <Title2 as="h2">{token.label}</Title2>
        {token.demo && (
          <Badge appearance="filled" color="informative" title={t('cards.demoHint')}>
            {t('cards.demo')}
          </Badge>
        )}
        <PinBadge token={token} />
      </div>
      <div className={s.meta}>
        <Text>
          {t('cards.manufacturer')}: {token.manufacturer} {token.model}
        </Text>
        <Text>
          {t('cards.serial')}: {token.serialNumber}
        </Text>
        <Text>
          {t('cards.reader')}: {token.slotDescription}
        </Text>
      </div>
      {token.demo && <Text size={200}>{t('cards.demoHint')}</Text>}
      {visible.map((e) => (
        <EidItem key={`${e.id}-${e.certificate.fingerprintSha256}`} eid={e} />
      ))}
      {token.eids.length === 0 && <Text>{t('cards.noEidsOnToken')}</Text>}
      {hidden > 0 && <Text size={200}>{t('cards.hiddenInvalid', { count: hidden })}</Text>}
    </Card>
  );
}

/** "My e-IDs": every card in every reader, live. Modelled on the SITHS page (seed 000). */
export function MyEidsPage() {
  const { t } = useTranslation();
  const s = useStyles();
  const { snapshot, loading, error, refresh } = useCards();
  const [showInvalid, setShowInvalid] = useState(false);
  const tokens = useMemo(() => snapshot?.modules.flatMap((m) => m.tokens) ?? [], [snapshot]);
  const failed = snapshot?.modules.filter((m) => m.status === 'error') ?? [];

  return (
    <div className={s.page}>
      <div className={s.toolbar}>
        <Title2 as="h1" className={s.grow}>
          {t('cards.title')}
        </Title2>
        <Switch checked={showInvalid} onChange={(_e, d) => setShowInvalid(d.checked)} label={t('cards.showInvalid')} />
        <Button icon={<ArrowClockwiseRegular />} onClick={refresh} disabled={loading}>
          {t('cards.refresh')}
        </Button>
      </div>
      <Text size={200}>{t('cards.live')}</Text>
      {loading && !snapshot && <Spinner label={t('cards.refreshing')} />}
      <PageError error={error} />
      {failed.map((m) => (
        <MessageBar intent="error" key={m.path} data-testid="module-error">
          <MessageBarBody>
            <MessageBarTitle>{t('cards.modules.failed', { path: m.path })}</MessageBarTitle>
            {m.error?.message}
          </MessageBarBody>
        </MessageBar>
      ))}
      {snapshot && snapshot.modules.length === 0 && (
        <MessageBar intent="warning">
          <MessageBarBody>{t('cards.modules.none')}</MessageBarBody>
        </MessageBar>
      )}
      {snapshot && tokens.length === 0 && (
        <Card className={s.empty} data-testid="empty-state">
          <Title3 as="h2">{t('cards.empty.title')}</Title3>
          <Text>{t('cards.empty.body')}</Text>
          <ul>
            <li>{t('cards.empty.check1')}</li>
            <li>{t('cards.empty.check2')}</li>
            <li>{t('cards.empty.check3')}</li>
          </ul>
        </Card>
      )}
      {tokens.map((tok) => (
        <TokenCard key={tok.key} token={tok} showInvalid={showInvalid} />
      ))}
    </div>
  );
}
