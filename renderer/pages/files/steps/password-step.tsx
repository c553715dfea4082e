/**
 * Step 2: the PIN code from the PIN letter, which opens the file. The typed value stays in this
 * component only until it is sent; the field is emptied at once. Surrounding spaces (they come
 * with copying from a letter, seed 003) are removed and the user is told so; a wrong code keeps
 * the user here with the reason in words.
 */
import { Button, Field, Input, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../i18n';
import { normalisePassword } from '../import-machine';
import type { UiError } from '../types';
import { useFilesStyles } from '../styles';
import { StepFrame } from './step-frame';

/** Props of the password step. */
export interface PasswordStepProps {
  readonly fileName: string;
  readonly busy: boolean;
  readonly error: UiError | null;
  /** The last password sent had spaces around it that were removed. */
  readonly trimmed: boolean;
  readonly onSubmit: (password: string) => void;
  readonly onBack: () => void;
}

/** Type the PIN code from the PIN letter. */
export function PasswordStep({ fileName, busy, error, trimmed, onSubmit, onBack }: PasswordStepProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const [value, setValue] = useState('');
  const [innerSpaces, setInnerSpaces] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  // Back in the field after a failed attempt.
  useEffect(() => {
    if (error) input.current?.focus();
  }, [error]);

  const submit = () => {
    if (busy) return;
    const typed = value;
    setValue('');
    setInnerSpaces(/\s/.test(normalisePassword(typed).value));
    onSubmit(typed);
  };

  const willTrim = value !== '' && normalisePassword(value).trimmed;
  const message = error ? (error.code === 'bad-password' ? t('files.password.wrong') : errorText(t, error)) : undefined;

  return (
    <StepFrame
      id="password"
      heading={t('files.password.heading')}
      focusHeading={false}
      onSubmit={submit}
      start={
        <Button onClick={onBack} disabled={busy}>
          {t('files.wizard.back')}
        </Button>
      }
      actions={
        <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
          {busy ? t('files.password.checking') : t('files.password.submit')}
        </Button>
      }
    >
      <Text>{t('files.password.body', { file: fileName })}</Text>
      <Field
        label={t('files.password.label')}
        hint={willTrim ? t('files.password.trimmed') : t('files.password.hint')}
        validationState={message ? 'error' : 'none'}
        validationMessage={message}
      >
        <Input
          ref={input}
          type="password"
          autoFocus
          autoComplete="off"
          spellCheck={false}
          value={value}
          readOnly={busy}
          onChange={(_e, d) => setValue(d.value)}
        />
      </Field>
      {error?.code === 'bad-password' && innerSpaces && (
        <MessageBar intent="warning">
          <MessageBarBody>{t('files.password.innerSpaces')}</MessageBarBody>
        </MessageBar>
      )}
      {error && trimmed && (
        <MessageBar intent="info">
          <MessageBarBody>{t('files.password.trimmed')}</MessageBarBody>
        </MessageBar>
      )}
      <div role="status" aria-live="polite" className={s.visuallyHidden}>
        {busy ? t('files.password.checking') : ''}
      </div>
    </StepFrame>
  );
}
