/**
 * One PIN of the active card (one PKCS#11 token): its status read fresh from the card, and the
 * actions it allows. Unblock is left out, with the reason, when the card says it cannot be done
 * (the PUK is blocked too, or the module has no way to unblock): offering a button that can only
 * fail is how users lose their last PUK try.
 */
import { Button, Card, MessageBar, MessageBarBody, Spinner, Text, Title3, makeStyles, tokens } from '@fluentui/react-components';
import { CertificateRegular, KeyRegular, KeyMultipleRegular, KeyResetRegular, PasswordRegular, SignatureRegular } from '@fluentui/react-icons';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { TokenViewData } from '../my-eids/types';
import { cardErrorText, secretThe } from './card-text';
import { signableEids } from './cards';
import { PinStatusSummary } from './pin-status';
import { usePinReport } from './use-pin-report';

/** The dialogs a token panel opens. */
export type CardDialogKind = 'change' | 'unblock' | 'test-sign' | 'orphans' | 'keygen' | 'write-cert';

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  reason: { color: tokens.colorNeutralForeground2 },
  heading: { margin: 0 },
});

/** Props of a token panel. */
export interface TokenPanelProps {
  readonly token: TokenViewData;
  /** Bumped by the page after every dialog: the status is read again. */
  readonly version: number;
  readonly onOpen: (kind: CardDialogKind, token: TokenViewData, trigger: HTMLElement) => void;
}

/** The status and actions of one PIN. */
export function TokenPanel({ token, version, onOpen }: TokenPanelProps) {
  const { t } = useTranslation();
  const s = useStyles();
  const headingId = useId();
  const changeReasonId = useId();
  const unblockReasonId = useId();
  const signReasonId = useId();
  // The watcher's snapshot carries the PIN flags: when another program changes them, read again.
  const status = usePinReport(token.key, `${version}|${JSON.stringify(token.pin)}`);
  const report = status.report;
  const secret = report?.unblock.secretName ?? 'PUK';
  const canSign = signableEids(token).length > 0;
  const changeBlocked = report && !report.change.possible ? report.change.blockedBy : null;
  const unblockBlocked = report && !report.unblock.possible ? report.unblock.blockedBy : null;
  const open = (kind: CardDialogKind) => (e: React.MouseEvent<HTMLElement>) => onOpen(kind, token, e.currentTarget);

  return (
    <Card className={s.card} role="region" aria-labelledby={headingId} data-testid="card-token">
      <Title3 as="h2" id={headingId} className={s.heading}>
        {token.label}
      </Title3>
      {!report && status.loading && <Spinner size="tiny" label={t('card.status.loading')} labelPosition="after" />}
      {status.error !== null && (
        <MessageBar intent="error">
          <MessageBarBody>{cardErrorText(t, status.error, { secret })}</MessageBarBody>
        </MessageBar>
      )}
      {report && <PinStatusSummary report={report} />}
      {token.pin.protectedAuthenticationPath && (
        <MessageBar intent="info">
          <MessageBarBody>{t('card.status.pinPad')}</MessageBarBody>
        </MessageBar>
      )}
      <div className={s.actions} role="group" aria-label={t('card.actions.label', { label: token.label })}>
        <Button
          icon={<PasswordRegular />}
          appearance={report?.pin.toBeChanged && !changeBlocked ? 'primary' : 'secondary'}
          disabledFocusable={!report || !report.change.possible}
          aria-describedby={changeBlocked ? changeReasonId : undefined}
          onClick={open('change')}
        >
          {t('card.actions.change')}
        </Button>
        {report && report.unblock.possible && (
          <Button icon={<KeyResetRegular />} appearance={report.pin.locked ? 'primary' : 'secondary'} onClick={open('unblock')}>
            {t('card.actions.unblock')}
          </Button>
        )}
        <Button
          icon={<SignatureRegular />}
          disabledFocusable={!canSign || !report || report.pin.locked}
          aria-describedby={!canSign ? signReasonId : undefined}
          onClick={open('test-sign')}
        >
          {t('card.actions.testSign')}
        </Button>
        <Button icon={<KeyMultipleRegular />} onClick={open('orphans')}>
          {t('card.actions.orphans')}
        </Button>
        <Button icon={<KeyRegular />} disabledFocusable={!report || report.pin.locked} onClick={open('keygen')}>
          {t('card.actions.keygen')}
        </Button>
        <Button icon={<CertificateRegular />} disabledFocusable={!report || report.pin.locked} onClick={open('write-cert')}>
          {t('card.actions.writeCert')}
        </Button>
      </div>
      {changeBlocked && changeBlocked !== 'puk-locked' && changeBlocked !== 'unsupported' && (
        <Text id={changeReasonId} className={s.reason}>
          {t(`card.actions.changeBlocked.${changeBlocked}`)}
        </Text>
      )}
      {unblockBlocked && (
        <Text id={unblockReasonId} className={s.reason} data-testid="unblock-reason">
          {t(`card.actions.unblockBlocked.${unblockBlocked}`, { secret: secretThe(t, secret) })}
        </Text>
      )}
      {!canSign && (
        <Text id={signReasonId} className={s.reason}>
          {t('card.actions.testSignBlocked')}
        </Text>
      )}
    </Card>
  );
}
