/**
 * Handlers for card management: PINs, test signature, orphan keys, key generation and writing
 * the issued certificate (issue 4).
 *
 * Thin on purpose: the engine (main/card/operations.ts) does the work and throws EidErrors whose
 * codes and details (triesLeft, min/max...) dispatch passes on unchanged. What is added here is
 * the bridge's view: progress pushed to the calling window as `card:progress` (so the UI can say
 * "Do not remove the card" exactly while it matters) and whether the card's PINs are digits.
 */
import type { cardOpsChannels } from '../../preload/channels/card-ops';
import type { EventOf } from '../../preload/contract';
import type { OperationOptions, PinReport } from '../card/operations';
import { profileFor } from '../card/profiles';
import { DEMO_LABEL_MARK } from '../card/tokens';
import type { HandlerContext, HandlerGroup } from './handler-types';

/** The operations that report progress, as the event names them. */
type CardOperation = EventOf<'card:progress'>['operation'];

/** Module families whose cards use digit PINs (SITHS on SafeNet / Net iD: PIN 6 digits, PUK 8). */
const DIGIT_PIN_PROFILES: ReadonlySet<string> = new Set(['safenet', 'netid']);

/**
 * The module path inside a token key (`<module path>#<slot hex>#<serial>`, main/card/tokens.ts).
 * The path may itself hold '#', so the last two fields are cut off, not the first.
 */
export function modulePathOfKey(tokenKey: string): string {
  const m = /^(.*)#[0-9a-fA-F]*#[^#]*$/s.exec(tokenKey);
  return m ? m[1] : tokenKey;
}

/**
 * Whether a token's PINs are digits, so the dialogs can ask for a numeric keypad and refuse a new
 * PIN with letters. PKCS#11 does not say; the module family does (SITHS cards), and the demo card
 * behaves like a SITHS card. Anything else may take any characters.
 */
export function pinsAreDigits(tokenKey: string, label: string): boolean {
  return label.includes(DEMO_LABEL_MARK) || DIGIT_PIN_PROFILES.has(profileFor(modulePathOfKey(tokenKey)).id);
}

function withFormat(report: PinReport): PinReport & { digitsOnly: boolean } {
  return { ...report, digitsOnly: pinsAreDigits(report.tokenKey, report.label) };
}

/**
 * Progress of one operation, pushed to the calling window. A failing emit (the window closed)
 * must never break the operation on the card, so it is swallowed.
 */
export function progressTo(context: HandlerContext, tokenKey: string, operation: CardOperation): OperationOptions {
  return {
    onProgress: (p) => {
      const payload: EventOf<'card:progress'> = { tokenKey, operation, step: p.step, critical: p.critical };
      try {
        context.emit?.('card:progress', payload);
      } catch {
        /* the window is gone; the card operation goes on */
      }
    },
  };
}

/** Card management handlers. */
export const cardOpsHandlers: HandlerGroup<keyof typeof cardOpsChannels> = {
  'pin:status': async (req, s) => withFormat(await s.cardOps.pinStatus(req.tokenKey)),
  'pin:change': async (req, s, ctx) =>
    withFormat(await s.cardOps.changePin(req.tokenKey, { oldPin: req.oldPin, newPin: req.newPin }, progressTo(ctx, req.tokenKey, 'pin-change'))),
  'pin:unblock': async (req, s, ctx) =>
    withFormat(await s.cardOps.unblockPin(req.tokenKey, { puk: req.puk, newPin: req.newPin }, progressTo(ctx, req.tokenKey, 'pin-unblock'))),
  'card:test-sign': (req, s, ctx) => s.cardOps.testSign(req.tokenKey, { pin: req.pin, id: req.eidId }, progressTo(ctx, req.tokenKey, 'test-sign')),
  'card:orphans': (req, s, ctx) =>
    s.cardOps.listOrphans(req.tokenKey, req.pin === undefined ? {} : { pin: req.pin }, progressTo(ctx, req.tokenKey, 'orphans')),
  'card:delete-orphans': (req, s, ctx) => s.cardOps.deleteOrphans(req.tokenKey, { pin: req.pin, ids: req.ids }, progressTo(ctx, req.tokenKey, 'delete-orphans')),
  'card:keygen': (req, s, ctx) =>
    s.cardOps.generateKey(
      req.tokenKey,
      { pin: req.pin, algorithm: req.algorithm, ...(req.subject === undefined ? {} : { subject: req.subject }) },
      progressTo(ctx, req.tokenKey, 'keygen'),
    ),
  'card:write-cert': (req, s, ctx) =>
    s.cardOps.writeCertificate(req.tokenKey, { pin: req.pin, certificate: Buffer.from(req.data, 'base64') }, progressTo(ctx, req.tokenKey, 'write-cert')),
};
