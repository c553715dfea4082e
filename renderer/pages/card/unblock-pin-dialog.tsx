/**
 * Unblock PIN: the PUK (SO PIN on SoftHSM2: the report names it) and a new PIN twice against the
 * card's rules. The PUK's own state is shown first: its final try is the last chance before the
 * card needs its issuer.
 */
import { MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { bridge } from '../../bridge-client';
import type { CardDialogBaseProps } from './card-dialog';
import { secretAtStart, secretLabel, secretThe } from './card-text';
import { NewPinDialog } from './new-pin-dialog';
import { useNewPinForm } from './use-new-pin-form';

/** The unblock dialog. */
export function UnblockPinDialog({ token, current, onClose }: CardDialogBaseProps) {
  const { t } = useTranslation();
  const form = useNewPinForm(
    { token, current },
    {
      operation: 'pin-unblock',
      possible: (r) => r.unblock.possible,
      wrongCode: 'puk-incorrect',
      requiredText: (tr, secret) => tr('card.rules.secretRequired', { secret: secretThe(tr, secret) }),
      send: (tokenKey, puk, newPin) => bridge.call('pin:unblock', { tokenKey, puk, newPin }),
    },
  );
  const { report, secret } = form;
  const blocked = report && !report.unblock.possible ? report.unblock.blockedBy : null;
  const generalError = form.errors.general && form.code === 'puk-locked' ? t('card.unblock.pukLocked', { secret: secretAtStart(t, secret) }) : form.errors.general;

  return (
    <NewPinDialog
      form={form}
      token={token}
      onClose={onClose}
      title={t('card.unblock.title')}
      testId="unblock-pin-dialog"
      submitLabel={t('card.unblock.submit')}
      doneText={t('card.unblock.done')}
      doneTestId="unblock-done"
      firstLabel={secretLabel(t, secret)}
      firstTestId="puk"
      showFields={!blocked}
      generalError={generalError}
      notices={(r) =>
        blocked ? (
          <MessageBar intent="error" data-testid="unblock-blocked">
            <MessageBarBody>{t(`card.actions.unblockBlocked.${blocked}`, { secret: secretThe(t, secret) })}</MessageBarBody>
          </MessageBar>
        ) : (
          <>
            <Text>{t(secret === 'SO PIN' ? 'card.unblock.introSoPin' : 'card.unblock.introPuk')}</Text>
            {r.puk.finalTry && (
              <MessageBar intent="error" data-testid="final-try">
                <MessageBarBody>{t('card.unblock.finalTry', { secret: secretThe(t, secret) })}</MessageBarBody>
              </MessageBar>
            )}
            {!r.puk.finalTry && r.puk.countLow && (
              <MessageBar intent="warning">
                <MessageBarBody>{t('card.unblock.countLow', { secret: secretThe(t, secret) })}</MessageBarBody>
              </MessageBar>
            )}
          </>
        )
      }
    />
  );
}
