/**
 * The frame every card dialog shares: a title, the card it acts on (with several cards and PINs
 * the user must see which one), a warning while that card is out of the reader, a form so Enter
 * submits, the "Do not take the card out" region, and no closing (Escape, backdrop) while the card
 * is being worked on.
 */
import { Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarBody, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TokenViewData } from '../my-eids/types';
import { BusyNotice } from './operation-notices';
import type { OperationView } from './use-card-operation';

const useStyles = makeStyles({
  surface: { maxWidth: '36rem' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  cardLine: { color: tokens.colorNeutralForeground2 },
  // Long Swedish labels ("Signera och kontrollera") keep to one line; the row wraps instead.
  actions: { flexWrap: 'wrap', justifyContent: 'flex-end', '& .fui-Button': { whiteSpace: 'nowrap' } },
});

/** What each card dialog is given by the page. */
export interface CardDialogBaseProps {
  /** The token as it was when the dialog opened (names it while the card is out). */
  readonly token: TokenViewData;
  /** The same token in the live snapshot; null while the card is out of the reader. */
  readonly current: TokenViewData | null;
  readonly onClose: () => void;
}

/** Props of the frame. */
export interface CardDialogProps {
  readonly title: string;
  readonly token: TokenViewData;
  readonly present: boolean;
  readonly busy: OperationView;
  readonly onClose: () => void;
  readonly onSubmit?: () => void;
  readonly actions: ReactNode;
  readonly children: ReactNode;
  /** 'alert' for a confirmation (no light dismiss). */
  readonly modalType?: 'modal' | 'alert';
  readonly testId?: string;
}

/** The dialog frame. */
export function CardDialog({ title, token, present, busy, onClose, onSubmit, actions, children, modalType = 'modal', testId }: CardDialogProps) {
  const { t } = useTranslation();
  const s = useStyles();
  const lineId = useId();
  return (
    <Dialog
      open
      modalType={modalType}
      onOpenChange={(_e, d) => {
        if (!d.open && !busy.running) onClose();
      }}
    >
      <DialogSurface className={s.surface} aria-describedby={lineId} data-testid={testId}>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            // A nested confirmation's submit must not bubble (through the portal) into this form.
            e.stopPropagation();
            if (!busy.running) onSubmit?.();
          }}
        >
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent className={s.content}>
              <Text id={lineId} className={s.cardLine} data-testid="dialog-card">
                {t('card.dialog.cardLine', { label: token.label, serial: token.serialNumber || '–' })}
              </Text>
              {!present && (
                <MessageBar intent="warning" data-testid="card-not-present">
                  <MessageBarBody>{t('card.dialog.notPresent', { label: token.label })}</MessageBarBody>
                </MessageBar>
              )}
              {children}
              <BusyNotice view={busy} />
            </DialogContent>
            <DialogActions fluid className={s.actions}>{actions}</DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
