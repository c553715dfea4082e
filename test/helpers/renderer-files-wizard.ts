/**
 * Driving the import wizard in jsdom, for the files tests (renderer-files*.test.tsx): open it,
 * pick a file, type the file's password. Needs the jsdom set-up and the mocked bridge of
 * renderer-jsdom.ts.
 */
import { act, fireEvent, screen } from '@testing-library/react';
import { createElement } from 'react';
import { vi } from 'vitest';
import { renderInFluent } from './renderer-jsdom';

/** The file input's label on the first step. */
export const FILE_INPUT = 'e-ID file (.p12, .pfx) or certificate (.cer, .crt, .pem, .p7b)';

/** Renders the wizard; its callbacks are spies. */
export async function openWizard() {
  const { ImportWizard } = await import('../../renderer/pages/files/import-wizard');
  const onShow = vi.fn();
  const onClose = vi.fn();
  renderInFluent(createElement(ImportWizard, { onClose, onShow }));
  return { onShow, onClose };
}

/** Chooses `file` in the file input. */
export async function pick(file: File) {
  await act(async () => {
    fireEvent.change(screen.getByLabelText(FILE_INPUT), { target: { files: [file] } });
  });
}

/** Types the file's password (the PIN code from the PIN letter) and submits it. */
export async function typePassword(value: string) {
  const input = await screen.findByLabelText('PIN code from the PIN letter');
  fireEvent.change(input, { target: { value } });
  await act(async () => {
    fireEvent.submit(input.closest('form')!);
  });
}
