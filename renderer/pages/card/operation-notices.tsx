/**
 * What a dialog says while it works with the card and after the card was pulled.
 *
 * Seed 000: "Do not take the card out of the reader while the download runs." The message sits
 * in an always-present assertive live region (a region created together with its text is often
 * not announced), with an indeterminate progress bar and the step main reports.
 */
import { MessageBar, MessageBarBody, MessageBarTitle, ProgressBar, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { CardOperation, OperationView } from './use-card-operation';

const useStyles = makeStyles({
  busy: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  title: { fontSize: tokens.fontSizeBase400 },
});

/** "Do not take the card out of the reader" while `view.running`. */
export function BusyNotice({ view }: { readonly view: OperationView }) {
  const { t } = useTranslation();
  const s = useStyles();
  const step = view.step ? t(`card.busy.step.${view.step}`) : t('card.busy.start');
  return (
    <div aria-live="assertive" aria-atomic="true" data-testid="card-busy">
      {view.running && (
        <div className={s.busy}>
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle className={s.title}>{t('card.busy.doNotRemove')}</MessageBarTitle>
              <Text>{step}</Text>
            </MessageBarBody>
          </MessageBar>
          <ProgressBar thickness="large" aria-label={t('card.busy.progress')} aria-valuetext={step} />
        </div>
      )}
    </div>
  );
}

/**
 * After token-removed: what state the card is in. Read-only operations changed nothing; a
 * changing operation changed nothing if the card went before its critical step began, and
 * otherwise may or may not have finished (the card cannot tell us until it is back).
 */
export function removedText(operation: CardOperation, reachedCritical: boolean): string {
  if (operation === 'test-sign' || operation === 'orphans') return 'card.removed.readOnly';
  if (!reachedCritical) return 'card.removed.nothingChanged';
  if (operation === 'pin-change') return 'card.removed.pinChange';
  if (operation === 'pin-unblock') return 'card.removed.pinUnblock';
  if (operation === 'keygen') return 'card.removed.keygen';
  if (operation === 'write-cert') return 'card.removed.writeCert';
  return 'card.removed.deleteKeys';
}

/** The card was taken out mid-operation: say so plainly, and say when it is back. */
export function RemovedNotice({ operation, reachedCritical, present }: { readonly operation: CardOperation; readonly reachedCritical: boolean; readonly present: boolean }) {
  const { t } = useTranslation();
  return (
    <MessageBar intent={present ? 'info' : 'error'} layout="multiline" data-testid="card-removed">
      <MessageBarBody>
        <MessageBarTitle>{t('card.removed.title')}</MessageBarTitle>
        {t(removedText(operation, reachedCritical))} {present ? t('card.removed.back') : t('card.removed.putBack')}
      </MessageBarBody>
    </MessageBar>
  );
}
