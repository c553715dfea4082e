/**
 * A confirmation dialog for things that cannot be undone (deleting an e-ID, removing a
 * certificate from the OS store). Escape and Cancel close it unless the action is running.
 */
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { DIALOG_STACK } from './dialog-frame';

/** Props of the confirmation dialog. */
export interface ConfirmDialogProps {
  readonly title: string;
  readonly confirmLabel: string;
  readonly busy: boolean;
  readonly busyLabel?: string;
  readonly error?: string | null;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
  readonly children: ReactNode;
  readonly testId?: string;
}

/** Asks before doing something for good. */
export function ConfirmDialog({ title, confirmLabel, busy, busyLabel, error, onConfirm, onCancel, children, testId }: ConfirmDialogProps) {
  const { t } = useTranslation();
  const bodyId = useId();
  return (
    <Dialog open modalType="alert" onOpenChange={(_e, d) => !d.open && !busy && onCancel()}>
      <DialogSurface aria-describedby={bodyId} data-testid={testId}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent id={bodyId} style={DIALOG_STACK}>
            {children}
            {error && (
              <MessageBar intent="error">
                <MessageBarBody>{error}</MessageBarBody>
              </MessageBar>
            )}
            <div role="status" aria-live="polite">
              {busy && <Spinner size="tiny" label={busyLabel} />}
            </div>
          </DialogContent>
          <DialogActions>
            <Button onClick={onCancel} disabled={busy}>
              {t('files.delete.cancel')}
            </Button>
            <Button appearance="primary" onClick={onConfirm} disabled={busy}>
              {confirmLabel}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
