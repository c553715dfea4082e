/**
 * Change PIN: the status first (tries left, final-try warning), then the current PIN and the new
 * one twice against the card's rules. A wrong current PIN is said at its field with the tries
 * left when the card tells. Secrets are cleared the moment the request is made.
 */
import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { bridge } from '../../bridge-client';
import type { CardDialogBaseProps } from './card-dialog';
import { secretThe } from './card-text';
import { NewPinDialog } from './new-pin-dialog';
import { useNewPinForm } from './use-new-pin-form';

/** The change-PIN dialog. */
export function ChangePinDialog({ token, current, onClose }: CardDialogBaseProps) {
  const { t } = useTranslation();
  const form = useNewPinForm(
    { token, current },
    {
      operation: 'pin-change',
      possible: (r) => r.change.possible,
      wrongCode: 'pin-incorrect',
      oldPin: true,
      requiredText: (tr) => tr('card.rules.oldRequired'),
      send: (tokenKey, oldPin, newPin) => bridge.call('pin:change', { tokenKey, oldPin, newPin }),
    },
  );
  const { secret } = form;

  return (
    <NewPinDialog
      form={form}
      token={token}
      onClose={onClose}
      title={t('card.change.title')}
      testId="change-pin-dialog"
      submitLabel={t('card.change.submit')}
      doneText={t('card.change.done')}
      doneTestId="change-done"
      firstLabel={t('card.change.old')}
      firstTestId="old-pin"
      showFields={!!form.report?.change.possible}
      notices={(report) => (
        <>
          {!report.change.possible && report.change.blockedBy && report.change.blockedBy !== 'puk-locked' && report.change.blockedBy !== 'unsupported' && (
            <MessageBar intent="error">
              <MessageBarBody>{t(`card.actions.changeBlocked.${report.change.blockedBy}`)}</MessageBarBody>
            </MessageBar>
          )}
          {report.change.possible && report.pin.finalTry && (
            <MessageBar intent="error" data-testid="final-try">
              <MessageBarBody>{t('card.change.finalTry', { secret: secretThe(t, secret) })}</MessageBarBody>
            </MessageBar>
          )}
        </>
      )}
    />
  );
}
