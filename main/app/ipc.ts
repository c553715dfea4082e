/**
 * Registers one ipcMain handler per contract channel. Every call is checked (sender = main frame
 * of our window on our origin) before dispatch parses it with the contract. Nothing else in the
 * app touches ipcMain.
 */
import type { IpcMain, WebContents } from 'electron';
import { channels, type EventName } from '../../preload/contract';
import { dispatch } from '../ipc/dispatch';
import type { Services } from '../services';
import { EVENT_CHANNEL, ipcName, isTrustedSender } from './policy';

/** Registers the handlers; returns a function that sends events to our windows. */
export function registerIpc(ipcMain: IpcMain, services: Services, windows: () => WebContents[], log: (msg: string) => void): (event: EventName, payload: unknown) => void {
  const ids = () => new Set(windows().map((w) => w.id));
  for (const channel of Object.keys(channels)) {
    ipcMain.handle(ipcName(channel), (event, request: unknown) => {
      if (!isTrustedSender(event, ids())) {
        log(`refused IPC ${channel} from an untrusted sender`);
        return { ok: false, error: { code: 'validation', message: 'Refused: untrusted sender.' } };
      }
      return dispatch(services, channel, request, (ch, err) => log(`internal error on ${ch}: ${(err as Error)?.stack ?? String(err)}`), {
        // Progress goes to the window that asked, and only while it exists.
        emit: (name, payload) => {
          if (!event.sender.isDestroyed()) event.sender.send(EVENT_CHANNEL, { event: name, payload });
        },
      });
    });
  }
  return (event, payload) => {
    for (const w of windows()) if (!w.isDestroyed()) w.send(EVENT_CHANNEL, { event, payload });
  };
}
