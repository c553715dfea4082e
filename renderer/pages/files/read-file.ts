/**
 * Reads a picked or dropped file for the bridge (base64), after the machine's guard has accepted
 * its name and size: a 2 GB file dropped by mistake is refused before a byte is read.
 */
import { fileRefusal, type FileProblem, type PickedFile } from './import-machine';

/** The file read, or why it was not. */
export type ReadOutcome = { ok: true; file: PickedFile } | { ok: false; problem: FileProblem };

/** Base64 of bytes without building one huge string of char codes at once. */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

function readBytes(file: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsArrayBuffer(file);
  });
}

/** Checks, then reads, exactly one file. */
export async function readPickedFile(files: ArrayLike<File> | null | undefined): Promise<ReadOutcome> {
  if (!files || files.length === 0) return { ok: false, problem: 'unreadable' };
  if (files.length > 1) return { ok: false, problem: 'several' };
  const file = files[0];
  const problem = fileRefusal({ name: file.name, size: file.size });
  if (problem) return { ok: false, problem };
  try {
    const bytes = await readBytes(file);
    // The size the browser reported may lie for special files; judge what was actually read.
    const after = fileRefusal({ name: file.name, size: bytes.length });
    if (after) return { ok: false, problem: after };
    return { ok: true, file: { name: file.name, size: bytes.length, data: toBase64(bytes) } };
  } catch {
    return { ok: false, problem: 'unreadable' };
  }
}
