/**
 * A PIN / PUK input: type=password, no autocomplete, no spell check, a numeric keypad on cards
 * whose PINs are digits. The value lives in the dialog's state for one request only.
 */
import { Field, Input } from '@fluentui/react-components';
import type { Ref } from 'react';

/** Props of a secret input. */
export interface SecretFieldProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly digitsOnly: boolean;
  readonly error?: string | null;
  readonly hint?: string;
  /** While an operation runs the field is read-only (disabling it would drop the focus). */
  readonly readOnly?: boolean;
  readonly required?: boolean;
  readonly inputRef?: Ref<HTMLInputElement>;
  readonly onBlur?: () => void;
  readonly testId?: string;
}

/** One secret field with its label and message. */
export function SecretField({ label, value, onChange, digitsOnly, error, hint, readOnly, required = true, inputRef, onBlur, testId }: SecretFieldProps) {
  return (
    <Field label={label} hint={hint} required={required} validationState={error ? 'error' : 'none'} validationMessage={error ?? undefined}>
      <Input
        ref={inputRef}
        type="password"
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        inputMode={digitsOnly ? 'numeric' : undefined}
        value={value}
        readOnly={readOnly}
        onChange={(_e, d) => onChange(d.value)}
        onBlur={onBlur}
        data-testid={testId}
      />
    </Field>
  );
}
