/**
 * "Card and PIN": the user chooses the active card (when several are in the readers), sees each
 * of its PINs' status before typing anything, and opens the dialogs that change, unblock and test
 * them or clean up keys without certificate. Every dialog names the card and PIN it acts on, and
 * keeps naming it while the card is out of the reader; when the card comes back (even in another
 * reader) the page and the open dialog find it again.
 */
import { Button, MessageBar, MessageBarBody, MessageBarTitle, Radio, RadioGroup, Field, Spinner, Text, Title2, Card, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowClockwiseRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCards } from '../../hooks/use-cards';
import { PageError } from '../../components/page-error';
import type { TokenViewData } from '../my-eids/types';
import { ChangePinDialog } from './change-pin-dialog';
import { KeygenDialog } from './keygen-dialog';
import { groupCards, locateToken, type PhysicalCard } from './cards';
import { OrphansDialog } from './orphans-dialog';
import { TestSignDialog } from './test-sign-dialog';
import { TokenPanel, type CardDialogKind } from './token-panel';
import { UnblockPinDialog } from './unblock-pin-dialog';
import { WriteCertDialog } from './write-cert-dialog';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '60rem' },
  toolbar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  grow: { flexGrow: 1 },
  radioText: { display: 'flex', flexDirection: 'column' },
  meta: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  single: { padding: tokens.spacingHorizontalL },
  empty: { padding: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

/** The open dialog: which one, for which token (as it was when opened), and what opened it. */
interface OpenDialog {
  readonly kind: CardDialogKind;
  readonly token: TokenViewData;
  readonly trigger: HTMLElement;
}

/** How long "the card is back" stays on screen. */
const BACK_NOTICE_MS = 8000;

function CardChooser({ cards, value, onChange }: { readonly cards: readonly PhysicalCard[]; readonly value: string | null; readonly onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const s = useStyles();
  return (
    <Field label={t('card.chooser.label')} hint={t('card.chooser.hint')}>
      <RadioGroup value={value ?? ''} onChange={(_e, d) => onChange(d.value)} data-testid="card-chooser">
        {cards.map((c) => (
          <Radio
            key={c.id}
            value={c.id}
            label={
              <span className={s.radioText}>
                <span>{c.label}</span>
                <span className={s.meta}>
                  {[t('card.chooser.serial', { serial: c.serialNumber || '–' }), t('card.chooser.reader', { reader: c.reader }), t('card.chooser.pins', { count: c.tokens.length })].join(' · ')}
                </span>
              </span>
            }
          />
        ))}
      </RadioGroup>
    </Field>
  );
}

/** The card and PIN page. */
export function CardPage() {
  const { t } = useTranslation();
  const s = useStyles();
  const { snapshot, loading, error, refresh } = useCards();
  const cards = useMemo(() => groupCards(snapshot), [snapshot]);
  const [chosenId, setChosenId] = useState<string | null>(null);
  const [remembered, setRemembered] = useState<PhysicalCard | null>(null);
  const [backNotice, setBackNotice] = useState<string | null>(null);
  const [dialog, setDialog] = useState<OpenDialog | null>(null);
  const [version, setVersion] = useState(0);
  const headingId = useId();

  const active = cards.find((c) => c.id === (chosenId ?? cards[0]?.id)) ?? null;
  const gone = !active && remembered !== null;

  // The first card present becomes the chosen one, so that its removal is noticed as removal.
  useEffect(() => {
    if (chosenId === null && cards[0]) setChosenId(cards[0].id);
  }, [chosenId, cards]);

  // Remember the active card; when it returns after being out, say so.
  const [wasGone, setWasGone] = useState(false);
  useEffect(() => {
    if (active) setRemembered(active);
  }, [active]);
  useEffect(() => {
    if (gone) setWasGone(true);
  }, [gone]);
  useEffect(() => {
    if (!active || !wasGone) return;
    setWasGone(false);
    setBackNotice(t('card.back', { label: active.label }));
  }, [active, wasGone, t]);
  useEffect(() => {
    if (!backNotice) return;
    const timer = setTimeout(() => setBackNotice(null), BACK_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [backNotice]);

  const choose = (id: string) => {
    setChosenId(id);
    setRemembered(null);
    setWasGone(false);
    setBackNotice(null);
  };
  const openDialog = useCallback((kind: CardDialogKind, token: TokenViewData, trigger: HTMLElement) => setDialog({ kind, token, trigger }), []);
  const closeDialog = useCallback(() => {
    const trigger = dialog?.trigger;
    setDialog(null);
    setVersion((v) => v + 1);
    // Focus back where the user was (the button may be gone if the card moved readers).
    setTimeout(() => (trigger?.isConnected ? trigger : document.getElementById(headingId))?.focus(), 0);
  }, [dialog, headingId]);

  const current = dialog ? locateToken(snapshot, dialog.token) : null;
  const dialogProps = dialog ? { token: dialog.token, current, onClose: closeDialog } : null;

  return (
    <div className={s.page}>
      <div className={s.toolbar}>
        <Title2 as="h1" className={s.grow} id={headingId} tabIndex={-1}>
          {t('card.title')}
        </Title2>
        <Button icon={<ArrowClockwiseRegular />} onClick={refresh} disabled={loading}>
          {t('card.refresh')}
        </Button>
      </div>
      <Text>{t('card.intro')}</Text>
      {loading && !snapshot && <Spinner label={t('card.loading')} />}
      <PageError error={error} />
      <div aria-live="polite" data-testid="card-presence">
        {gone && remembered && (
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>{t('card.gone.title')}</MessageBarTitle>
              {t('card.gone.body', { label: remembered.label, serial: remembered.serialNumber || '–' })}
            </MessageBarBody>
          </MessageBar>
        )}
        {!gone && backNotice && (
          <MessageBar intent="success">
            <MessageBarBody>{backNotice}</MessageBarBody>
          </MessageBar>
        )}
      </div>
      {cards.length > 1 || (gone && cards.length > 0) ? (
        <CardChooser cards={cards} value={active?.id ?? null} onChange={choose} />
      ) : (
        active && (
          <Card className={s.single} data-testid="single-card">
            <Text>
              <strong>{t('card.activeCard')}:</strong> {t('card.cardLine', { label: active.label, serial: active.serialNumber || '–', reader: active.reader })}
            </Text>
          </Card>
        )
      )}
      {snapshot && cards.length === 0 && !gone && (
        <Card className={s.empty} data-testid="card-empty">
          <Title2 as="h2">{t('card.noCard.title')}</Title2>
          <Text>{t('card.noCard.body')}</Text>
        </Card>
      )}
      {active?.tokens.map((tok) => (
        <TokenPanel key={tok.key} token={tok} version={version} onOpen={openDialog} />
      ))}
      {dialog && dialogProps && dialog.kind === 'change' && <ChangePinDialog {...dialogProps} />}
      {dialog && dialogProps && dialog.kind === 'unblock' && <UnblockPinDialog {...dialogProps} />}
      {dialog && dialogProps && dialog.kind === 'test-sign' && <TestSignDialog {...dialogProps} />}
      {dialog && dialogProps && dialog.kind === 'orphans' && <OrphansDialog {...dialogProps} />}
      {dialog && dialogProps && dialog.kind === 'keygen' && <KeygenDialog {...dialogProps} />}
      {dialog && dialogProps && dialog.kind === 'write-cert' && <WriteCertDialog {...dialogProps} />}
    </div>
  );
}
