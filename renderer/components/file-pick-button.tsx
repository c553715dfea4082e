import { Button, makeStyles, type ButtonProps } from '@fluentui/react-components';
import { FolderOpenRegular } from '@fluentui/react-icons';
import { useRef, type RefObject } from 'react';
import { VISUALLY_HIDDEN } from './visually-hidden';

const useStyles = makeStyles({ hidden: VISUALLY_HIDDEN });

/** Props of the file pick button. */
export interface FilePickButtonProps {
  readonly label: string;
  /** The hidden input's accessible name (tests and assistive tech find the input by it). */
  readonly inputLabel: string;
  readonly accept: string;
  readonly disabled?: boolean;
  readonly appearance?: ButtonProps['appearance'];
  readonly onFiles: (files: FileList | null) => void;
  /** For a caller that opens the picker itself too (a step's Enter). */
  readonly inputRef?: RefObject<HTMLInputElement | null>;
}

/**
 * A Fluent button that opens the system's file picker through a real, visually hidden file
 * input (keyboard and screen readers reach the button; the input stays out of the tab order).
 * The input is cleared after each choice so the same file can be chosen again after a problem.
 */
export function FilePickButton({ label, inputLabel, accept, disabled, appearance, onFiles, inputRef }: FilePickButtonProps) {
  const s = useStyles();
  const own = useRef<HTMLInputElement>(null);
  const input = inputRef ?? own;
  return (
    <>
      <Button appearance={appearance} icon={<FolderOpenRegular />} disabled={disabled} onClick={() => input.current?.click()}>
        {label}
      </Button>
      <input
        ref={input}
        type="file"
        accept={accept}
        aria-label={inputLabel}
        className={s.hidden}
        tabIndex={-1}
        onChange={(e) => {
          onFiles(e.target.files);
          e.target.value = '';
        }}
      />
    </>
  );
}
