/**
 * The PIN status as a user needs it before typing: is the PIN working, how many tries are left
 * (only when the card says), is it blocked, must it be changed, is the PUK still usable, and the
 * rules for a new PIN. Words and badges, never colour alone (high contrast).
 */
import { Badge, Text, makeStyles, tokens, type BadgeProps } from '@fluentui/react-components';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ruleText, secretLabel, secretThe } from './card-text';
import { pinRules } from './pin-rules';
import type { PinReport } from './use-pin-report';

const useStyles = makeStyles({
  list: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalXS, margin: 0, alignItems: 'baseline' },
  term: { color: tokens.colorNeutralForeground2 },
  def: { margin: 0, display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  note: { gridColumn: '1 / -1', margin: 0 },
});

type Look = { text: string; color: BadgeProps['color']; appearance: BadgeProps['appearance'] };

/** The badge for the user PIN. */
function pinLook(t: TFunction, pin: PinReport['pin']): Look {
  if (!pin.initialized) return { text: t('card.status.notInitialized'), color: 'warning', appearance: 'tint' };
  if (pin.locked) return { text: t('card.status.locked'), color: 'danger', appearance: 'filled' };
  if (pin.finalTry) return { text: t('card.status.finalTry'), color: 'danger', appearance: 'filled' };
  if (pin.countLow) return { text: t('card.status.countLow'), color: 'warning', appearance: 'tint' };
  if (pin.toBeChanged) return { text: t('card.status.toBeChanged'), color: 'warning', appearance: 'tint' };
  return { text: t('card.status.ok'), color: 'success', appearance: 'tint' };
}

/** The badge for the PUK / SO PIN. */
function pukLook(t: TFunction, puk: PinReport['puk']): Look {
  if (puk.locked) return { text: t('card.status.locked'), color: 'danger', appearance: 'filled' };
  if (puk.finalTry) return { text: t('card.status.finalTry'), color: 'danger', appearance: 'filled' };
  if (puk.countLow) return { text: t('card.status.countLow'), color: 'warning', appearance: 'tint' };
  return { text: t('card.status.pukOk'), color: 'informative', appearance: 'outline' };
}

/**
 * One sentence under the PIN badge. A count appears only when the card reported one; otherwise
 * the user is told the card does not say (SoftHSM2 and most cards until the count runs low).
 */
export function pinSentence(t: TFunction, report: PinReport): string {
  const pin = report.pin;
  const secret = secretThe(t, report.unblock.secretName);
  if (!pin.initialized) return t('card.status.notInitializedText', { secret });
  if (pin.locked) return t('card.status.lockedText', { secret });
  if (pin.finalTry) return t('card.status.finalTryText');
  if (pin.countLow) return pin.triesLeft !== null ? t('card.status.triesLeft', { count: pin.triesLeft }) : t('card.status.countLowText');
  if (pin.toBeChanged) return t('card.status.toBeChangedText');
  if (pin.triesLeft !== null) return t('card.status.triesLeft', { count: pin.triesLeft });
  return t('card.status.triesUnknown');
}

/** PIN and PUK state, and (unless `compact`) the rules for a new PIN. */
export function PinStatusSummary({ report, compact = false }: { readonly report: PinReport; readonly compact?: boolean }) {
  const { t } = useTranslation();
  const s = useStyles();
  const pin = pinLook(t, report.pin);
  const puk = pukLook(t, report.puk);
  return (
    <dl className={s.list} data-testid="pin-status">
      <dt className={s.term}>{t('card.status.pin')}</dt>
      <dd className={s.def}>
        <Badge appearance={pin.appearance} color={pin.color} data-testid="pin-badge">
          {pin.text}
        </Badge>
        <Text data-testid="pin-sentence">{pinSentence(t, report)}</Text>
      </dd>
      <dt className={s.term}>{secretLabel(t, report.unblock.secretName)}</dt>
      <dd className={s.def}>
        <Badge appearance={puk.appearance} color={puk.color} data-testid="puk-badge">
          {puk.text}
        </Badge>
      </dd>
      {!compact && (
        <Text as="p" size={200} className={s.note}>
          {t('card.status.rules', { rule: ruleText(t, pinRules(report.pin, report.digitsOnly)) })}
        </Text>
      )}
    </dl>
  );
}
