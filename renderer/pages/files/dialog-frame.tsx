/**
 * The dialog frame of the E-IDs on file page, so each dialog writes only what it asks or shows.
 * With `form` it is a form (change PIN, create key request): Enter submits, a live status while a
 * request runs, Cancel and Escape close it unless one does. Without, it is a view (details, older
 * certificates, the CSR just made) closed by one button. One component for both on purpose: a
 * dialog that turns from its form into its result (the key request) keeps its surface, as when
 * each wrote its own. Confirmations have their own frame (confirm-dialog.tsx: an alert, no form).
 */
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Spinner } from '@fluentui/react-components';
import type { CSSProperties, ReactNode } from 'react';

/** A dialog's content one part under another: the layout of every dialog here but the details list. */
export const DIALOG_STACK: CSSProperties = { display: 'flex', flexDirection: 'column', gap: '12px' };

/** What makes the frame a form. */
export interface DialogForm {
  /** A request runs: the buttons are off, Escape does nothing, the status says `busyLabel`. */
  readonly busy: boolean;
  readonly busyLabel: string;
  readonly cancelLabel: string;
  readonly submitLabel: string;
  /** Submit is off for another reason than `busy` (the PIN rules are not loaded yet, a wait runs). */
  readonly submitDisabled?: boolean;
  readonly onSubmit: () => void;
}

/** Props of the frame: a form (`form`, with Cancel) or a view (`closeLabel`, one button). */
export type FilesDialogProps = {
  readonly title: string;
  /** Cancel or Close, or Escape (not while a form is busy). */
  readonly onClose: () => void;
  /** The surface's max width (CSS), for a dialog wider than Fluent's default. */
  readonly maxWidth?: string;
  readonly testId?: string;
  /** Lay the children out with DIALOG_STACK (default); false leaves spacing to them (a details list). */
  readonly stacked?: boolean;
  readonly children: ReactNode;
} & ({ readonly form: DialogForm; readonly closeLabel?: never } | { readonly form?: never; readonly closeLabel: string });

/** A dialog of the E-IDs on file page. */
export function FilesDialog({ title, onClose, maxWidth, testId, stacked = true, form, closeLabel, children }: FilesDialogProps) {
  const content = (
    <DialogContent style={stacked ? DIALOG_STACK : undefined}>
      {children}
      {form && (
        <div role="status" aria-live="polite">
          {form.busy && <Spinner size="tiny" label={form.busyLabel} />}
        </div>
      )}
    </DialogContent>
  );
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && !form?.busy && onClose()}>
      <DialogSurface aria-describedby={undefined} style={maxWidth ? { maxWidth } : undefined} data-testid={testId}>
        {form ? (
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              form.onSubmit();
            }}
          >
            <DialogBody>
              <DialogTitle>{title}</DialogTitle>
              {content}
              <DialogActions>
                <Button onClick={onClose} disabled={form.busy}>
                  {form.cancelLabel}
                </Button>
                <Button appearance="primary" type="submit" disabled={form.busy || form.submitDisabled}>
                  {form.submitLabel}
                </Button>
              </DialogActions>
            </DialogBody>
          </form>
        ) : (
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            {content}
            <DialogActions>
              <Button appearance="primary" onClick={onClose}>
                {closeLabel}
              </Button>
            </DialogActions>
          </DialogBody>
        )}
      </DialogSurface>
    </Dialog>
  );
}
