/**
 * The layout the change-PIN and unblock dialogs share, drawn from a useNewPinForm state: the
 * status first, the done message, the dialog's own notices, a pulled card or an error, then the
 * first secret and the new PIN twice. Submit and Cancel while the form is open, Close once done.
 */
import { Button, MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TokenViewData } from '../my-eids/types';
import { CardDialog } from './card-dialog';
import { isCardGone } from './card-text';
import { NewPinFields } from './new-pin-fields';
import { RemovedNotice } from './operation-notices';
import { PinStatusSummary } from './pin-status';
import { SecretField } from './secret-field';
import type { NewPinForm } from './use-new-pin-form';
import type { PinReport } from './use-pin-report';

/** Props of the shared new-PIN dialog. */
export interface NewPinDialogProps {
  readonly form: NewPinForm;
  /** The token as it was when the dialog opened. */
  readonly token: TokenViewData;
  readonly onClose: () => void;
  readonly title: string;
  readonly testId: string;
  readonly submitLabel: string;
  /** The success message and its test id. */
  readonly doneText: string;
  readonly doneTestId: string;
  /** The first secret's field. */
  readonly firstLabel: string;
  readonly firstTestId: string;
  /** The dialog's own notices (blocked, final try...), shown while the form is open and the status read. */
  readonly notices: (report: PinReport) => ReactNode;
  /** Whether the fields are offered at all for this report (not when the operation is blocked). */
  readonly showFields: boolean;
  /** The error above the form; defaults to the form's own. */
  readonly generalError?: string | null;
}

/** One dialog that sets a new PIN. */
export function NewPinDialog({ form, token, onClose, title, testId, submitLabel, doneText, doneTestId, firstLabel, firstTestId, notices, showFields, generalError = form.errors.general }: NewPinDialogProps) {
  const { t } = useTranslation();
  const { report, rules, check, done, running, failure } = form;
  return (
    <CardDialog
      title={title}
      token={token}
      present={form.present}
      busy={form.busy}
      onClose={onClose}
      onSubmit={() => void form.submit()}
      testId={testId}
      actions={
        done ? (
          <Button appearance="primary" ref={form.closeRef} onClick={onClose}>
            {t('card.dialog.close')}
          </Button>
        ) : (
          <>
            <Button appearance="primary" type="submit" disabledFocusable={running || !form.canSubmit}>
              {submitLabel}
            </Button>
            <Button disabledFocusable={running} onClick={onClose}>
              {t('card.dialog.cancel')}
            </Button>
          </>
        )
      }
    >
      {!report && form.status.loading && <Spinner size="tiny" label={t('card.status.loading')} />}
      {!report && form.errors.status !== null && (
        <MessageBar intent="error">
          <MessageBarBody>{form.errors.status}</MessageBarBody>
        </MessageBar>
      )}
      {report && form.present && <PinStatusSummary report={report} compact />}
      {done && (
        <MessageBar intent="success" data-testid={doneTestId}>
          <MessageBarBody>{doneText}</MessageBarBody>
        </MessageBar>
      )}
      {report && !done && notices(report)}
      {failure && isCardGone(form.code) && <RemovedNotice operation={form.operation} reachedCritical={failure.reachedCritical} present={form.present} />}
      {generalError && (
        <MessageBar intent="error" data-testid="dialog-error">
          <MessageBarBody>{generalError}</MessageBarBody>
        </MessageBar>
      )}
      {report && rules && check && !done && showFields && (
        <>
          <SecretField label={firstLabel} value={form.first} onChange={form.setFirst} digitsOnly={report.digitsOnly} error={form.errors.first} readOnly={running} inputRef={form.firstRef} testId={firstTestId} />
          <NewPinFields
            rules={rules}
            check={check}
            newPin={form.newPin}
            confirm={form.confirm}
            onNewPin={form.setNewPin}
            onConfirm={form.setConfirm}
            submitted={form.submitted}
            readOnly={running}
            cardError={form.errors.newPin}
            newRef={form.newRef}
            confirmRef={form.confirmRef}
          />
        </>
      )}
    </CardDialog>
  );
}
