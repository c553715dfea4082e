/**
 * The frame every wizard step uses: a form (so Enter submits the step), a heading that takes focus
 * when the step opens (screen readers announce the new step, keyboard users start at its top),
 * and a row of actions with Back on the left and the step's main button on the right.
 */
import { Card, mergeClasses } from '@fluentui/react-components';
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useFilesStyles } from '../styles';

/** Props of the step frame. */
export interface StepFrameProps {
  readonly id: string;
  readonly heading: string;
  /** Focus the heading when the step opens; false for steps that focus their first input instead. */
  readonly focusHeading?: boolean;
  /** Runs on submit (the main button, or Enter anywhere in the step but on another button). */
  readonly onSubmit?: () => void;
  readonly actions?: ReactNode;
  readonly start?: ReactNode;
  readonly children: ReactNode;
}

/** A wizard step. */
export function StepFrame({ id, heading, focusHeading = true, onSubmit, actions, start, children }: StepFrameProps) {
  const s = useFilesStyles();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusHeading) headingRef.current?.focus();
  }, [focusHeading]);

  // Enter on a checkbox or the heading submits too (browsers only do it from text fields).
  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key !== 'Enter' || e.nativeEvent.isComposing || !onSubmit) return;
    const target = e.target as HTMLElement;
    if (target.closest('button, a, textarea, [role="button"]')) return;
    if (target instanceof HTMLInputElement && target.type !== 'checkbox') return; // the form submits itself
    e.preventDefault();
    onSubmit();
  };

  return (
    <Card className={s.step} data-testid={`step-${id}`}>
      <form
        noValidate
        onKeyDown={onKeyDown}
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit?.();
        }}
        style={{ display: 'contents' }}
      >
        <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className={s.stepHeading}>
          {heading}
        </h2>
        {children}
        {(start || actions) && (
          <div className={s.stepActions}>
            {start && <div className={mergeClasses(s.actions, s.stepActionsStart)}>{start}</div>}
            {actions}
          </div>
        )}
      </form>
    </Card>
  );
}
