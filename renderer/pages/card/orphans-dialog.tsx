/**
 * Keys without certificate (orphans): the list is read at once without a PIN (public key objects
 * only), and with the PIN on request (most cards show private keys only after login). Removing is
 * a second step: a confirmation naming how many keys, with the PIN the channel requires; main
 * deletes nothing if any of them is no longer an orphan.
 */
import { Button, Checkbox, MessageBar, MessageBarBody, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ResponseOf } from '../../../preload/contract';
import { bridge } from '../../bridge-client';
import { CardDialog, type CardDialogBaseProps } from './card-dialog';
import { cardErrorText, codeOf, type Failure, isCardGone } from './card-text';
import { RemovedNotice } from './operation-notices';
import { SecretField } from './secret-field';
import { useCardOperation, type CardOperation } from './use-card-operation';
import { useFocusOnce } from './use-focus-once';
import { usePinReport } from './use-pin-report';

/** One orphan as card:orphans lists it. */
export type OrphanKey = ResponseOf<'card:orphans'>['orphans'][number];

const useStyles = makeStyles({
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  item: { border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium, padding: tokens.spacingHorizontalS },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalM, margin: `0 0 0 ${tokens.spacingHorizontalXXL}`, color: tokens.colorNeutralForeground2 },
  def: { margin: 0, overflowWrap: 'anywhere' },
  mono: { margin: 0, overflowWrap: 'anywhere', fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'end', flexWrap: 'wrap' },
});

/** "key id 4A3F · RSA 2048 bits" */
export function orphanName(t: TFunction, o: OrphanKey): string {
  const id = o.id === '' ? t('card.orphans.noId') : t('card.orphans.keyId', { id: o.id });
  const type = t(`card.testSign.keyType.${o.keyType}`);
  const kind = o.bits !== null ? t('card.orphans.keyBits', { type, bits: o.bits }) : o.curve ? t('card.orphans.keyCurve', { type, curve: o.curve }) : type;
  return `${id} · ${kind}`;
}

/** The orphan-keys dialog. */
export function OrphansDialog({ token, current, onClose }: CardDialogBaseProps) {
  const { t } = useTranslation();
  const s = useStyles();
  const present = current !== null;
  const tokenKey = current?.key ?? token.key;
  const status = usePinReport(present ? tokenKey : null);
  const listOp = useCardOperation('orphans');
  const deleteOp = useCardOperation('delete-orphans');
  const [list, setList] = useState<ResponseOf<'card:orphans'> | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [pin, setPin] = useState('');
  const [failure, setFailure] = useState<(Failure & { operation: CardOperation }) | null>(null);
  const [removed, setRemoved] = useState<number | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [confirmPin, setConfirmPin] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const pinRef = useRef<HTMLInputElement>(null);
  const removeRef = useRef<HTMLButtonElement>(null);
  const confirmPinRef = useRef<HTMLInputElement>(null);
  const firstKeyRef = useRef<HTMLInputElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const running = listOp.view.running || deleteOp.view.running;
  const busy = deleteOp.view.running ? deleteOp.view : listOp.view;
  const digits = status.report?.digitsOnly ?? false;
  const secret = status.report?.unblock.secretName ?? 'PUK';
  const runList = listOp.run;

  const load = useCallback(
    async (withPin?: string) => {
      const request = withPin === undefined ? { tokenKey } : { tokenKey, pin: withPin };
      const out = await runList(tokenKey, () => bridge.call('card:orphans', request));
      if (!out) return;
      if (out.ok) {
        setList(out.value);
        setSelected((sel) => new Set([...sel].filter((id) => out.value.orphans.some((o) => o.id === id))));
        setFailure(null);
      } else setFailure({ error: out.error, reachedCritical: out.reachedCritical, operation: 'orphans' });
    },
    [runList, tokenKey],
  );

  // Read the list (without the PIN) when the dialog opens and when the card comes back.
  useEffect(() => {
    if (present) void load();
  }, [present, load]);

  useEffect(() => {
    if (confirming) confirmPinRef.current?.focus();
  }, [confirming]);

  // The dialog opens before the card answered (nothing to focus yet): once the first list is
  // there, focus its first key, else the PIN to search with, else Close.
  useFocusOnce(list !== null, () => firstKeyRef.current ?? pinRef.current ?? closeRef.current);

  const searchWithPin = async () => {
    if (running || !present) return;
    setSubmitted(true);
    if (pin === '') return pinRef.current?.focus();
    const p = pin;
    setPin('');
    setSubmitted(false);
    await load(p);
    // The PIN field goes once private keys are visible: keep the focus in the dialog (the first
    // key found, else Close), never on the page behind it.
    setTimeout(() => (firstKeyRef.current ?? pinRef.current ?? closeRef.current)?.focus(), 0);
  };

  const closeConfirm = () => {
    setConfirming(false);
    setConfirmPin('');
    setTimeout(() => removeRef.current?.focus(), 0);
  };

  const remove = async () => {
    if (running || !present || selected.size === 0) return;
    if (confirmPin === '') return confirmPinRef.current?.focus();
    const request = { tokenKey, pin: confirmPin, ids: [...selected] };
    setConfirmPin('');
    const out = await deleteOp.run(tokenKey, () => bridge.call('card:delete-orphans', request));
    if (!out) return;
    setConfirming(false);
    // The confirmation (and the focus in it) is gone: bring the focus back into this dialog, or a
    // screen reader is left outside every modal.
    setTimeout(() => (firstKeyRef.current ?? closeRef.current)?.focus(), 0);
    if (out.ok) {
      setRemoved(out.value.deleted.length);
      setList({ tokenKey: out.value.tokenKey, orphans: out.value.remaining, privateKeysVisible: true });
      setSelected(new Set());
      setFailure(null);
    } else {
      setFailure({ error: out.error, reachedCritical: out.reachedCritical, operation: 'delete-orphans' });
      if (codeOf(out.error) === 'not-found') void load();
    }
    status.reload();
  };

  const code = failure ? codeOf(failure.error) : undefined;
  const errorMessage =
    failure && !isCardGone(code) ? (code === 'not-found' ? t('card.errors.orphanNotFound') : cardErrorText(t, failure.error, { secret })) : null;
  const toggle = (id: string, on: boolean) =>
    setSelected((sel) => {
      const next = new Set(sel);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <CardDialog
      title={t('card.orphans.title')}
      token={token}
      present={present}
      busy={busy}
      onClose={onClose}
      onSubmit={() => void searchWithPin()}
      testId="orphans-dialog"
      actions={
        <>
          <Button appearance="primary" ref={removeRef} disabledFocusable={running || selected.size === 0 || !present} onClick={() => setConfirming(true)}>
            {t('card.orphans.remove')}
          </Button>
          <Button ref={closeRef} disabledFocusable={running} onClick={onClose}>
            {t('card.dialog.close')}
          </Button>
        </>
      }
    >
      <Text>{t('card.orphans.intro')}</Text>
      {!list && listOp.view.running && <Spinner size="tiny" label={t('card.orphans.loading')} />}
      {failure && isCardGone(code) && <RemovedNotice operation={failure.operation} reachedCritical={failure.reachedCritical} present={present} />}
      {errorMessage && (
        <MessageBar intent="error" data-testid="dialog-error">
          <MessageBarBody>{errorMessage}</MessageBarBody>
        </MessageBar>
      )}
      {removed !== null && (
        <MessageBar intent="success" data-testid="orphans-removed">
          <MessageBarBody>{t('card.orphans.removed', { count: removed })}</MessageBarBody>
        </MessageBar>
      )}
      {list && list.orphans.length === 0 && <Text data-testid="orphans-none">{t('card.orphans.none')}</Text>}
      {list && list.orphans.length > 0 && (
        <ul className={s.list} aria-label={t('card.orphans.list')} data-testid="orphans-list">
          {list.orphans.map((o, i) => (
            <li key={o.id} className={s.item}>
              <Checkbox
                ref={i === 0 ? firstKeyRef : undefined}
                checked={selected.has(o.id)}
                disabled={running}
                onChange={(_e, d) => toggle(o.id, d.checked === true)}
                label={orphanName(t, o)}
              />
              <dl className={s.facts}>
                <dt>{t('card.orphans.label')}</dt>
                <dd className={s.def}>{o.label || '–'}</dd>
                <dt>{t('card.orphans.parts')}</dt>
                <dd className={s.def}>{o.hasPrivateKey && o.hasPublicKey ? t('card.orphans.both') : o.hasPrivateKey ? t('card.orphans.privateOnly') : t('card.orphans.publicOnly')}</dd>
                <dt>{t('card.orphans.origin')}</dt>
                <dd className={s.def}>{o.generatedOnCard === null ? t('card.orphans.unknown') : o.generatedOnCard ? t('card.orphans.onCard') : t('card.orphans.imported')}</dd>
                {o.publicKeySha256 && (
                  <>
                    <dt>{t('card.orphans.fingerprint')}</dt>
                    <dd className={s.mono}>{o.publicKeySha256}</dd>
                  </>
                )}
              </dl>
            </li>
          ))}
        </ul>
      )}
      {list && !list.privateKeysVisible && (
        <>
          <Text size={200}>{t('card.orphans.privateHidden')}</Text>
          <div className={s.row}>
            <SecretField label={t('card.status.pin')} value={pin} onChange={setPin} digitsOnly={digits} readOnly={running} inputRef={pinRef} error={submitted && pin === '' ? t('card.rules.pinRequired') : null} testId="orphans-pin" />
            <Button type="submit" disabledFocusable={running || !present}>
              {t('card.orphans.searchWithPin')}
            </Button>
          </div>
        </>
      )}
      {confirming && (
        <CardDialog
          title={t('card.orphans.confirmTitle', { count: selected.size })}
          token={token}
          present={present}
          busy={deleteOp.view}
          onClose={closeConfirm}
          onSubmit={() => void remove()}
          modalType="alert"
          testId="orphans-confirm"
          actions={
            <>
              <Button appearance="primary" type="submit" disabledFocusable={deleteOp.view.running || !present}>
                {t('card.orphans.confirm')}
              </Button>
              <Button disabledFocusable={deleteOp.view.running} onClick={closeConfirm}>
                {t('card.dialog.cancel')}
              </Button>
            </>
          }
        >
          <Text>{t('card.orphans.confirmText')}</Text>
          <ul>
            {list?.orphans
              .filter((o) => selected.has(o.id))
              .map((o) => (
                <li key={o.id}>{orphanName(t, o)}</li>
              ))}
          </ul>
          <SecretField label={t('card.status.pin')} value={confirmPin} onChange={setConfirmPin} digitsOnly={digits} readOnly={deleteOp.view.running} inputRef={confirmPinRef} testId="confirm-delete-pin" />
        </CardDialog>
      )}
    </CardDialog>
  );
}
