/**
 * Reads what is on the tokens of one module: token info, PIN flags, certificates and which of
 * them have a key. Read-only, no login: this is what the card view and `eiddesk tokens` show.
 */
import { createHash } from 'node:crypto';
import { actsAsCA, parseCertificate, validityState, type CertificateInfo } from '../pki/certificate';
import { ckString, pkcs11js, toCardError, type Pkcs11Module } from './pkcs11';
import type { CardEid, PinStatus, TokenView } from './types';

/** Label prefix that marks the development demo token. */
export const DEMO_LABEL_MARK = '[DEMO]';

/** Decodes the PIN flags of CK_TOKEN_INFO. */
export function pinStatusFromFlags(flags: number, minLength: number, maxLength: number): PinStatus {
  const p = pkcs11js();
  const finalTry = (flags & p.CKF_USER_PIN_FINAL_TRY) !== 0;
  const locked = (flags & p.CKF_USER_PIN_LOCKED) !== 0;
  return {
    initialized: (flags & p.CKF_USER_PIN_INITIALIZED) !== 0,
    countLow: (flags & p.CKF_USER_PIN_COUNT_LOW) !== 0,
    finalTry,
    locked,
    toBeChanged: (flags & p.CKF_USER_PIN_TO_BE_CHANGED) !== 0,
    soLocked: (flags & p.CKF_SO_PIN_LOCKED) !== 0,
    triesLeft: locked ? 0 : finalTry ? 1 : null,
    minLength,
    maxLength,
    protectedAuthenticationPath: (flags & p.CKF_PROTECTED_AUTHENTICATION_PATH) !== 0,
  };
}

/** Finds all objects matching a template (in batches, so huge tokens do not need one huge call). */
export function findAll(mod: Pkcs11Module, session: Buffer, template: Array<{ type: number; value?: number | boolean | Buffer | string }>): Buffer[] {
  const api = mod.api;
  api.C_FindObjectsInit(session, template);
  const out: Buffer[] = [];
  try {
    for (;;) {
      const batch = api.C_FindObjects(session, 64);
      if (!batch.length) break;
      out.push(...batch);
    }
  } finally {
    api.C_FindObjectsFinal(session);
  }
  return out;
}

/** Reads CKA_ID of objects of a class, as upper-case hex. */
function idsOfClass(mod: Pkcs11Module, session: Buffer, cls: number): Set<string> {
  const p = pkcs11js();
  const ids = new Set<string>();
  for (const h of findAll(mod, session, [{ type: p.CKA_CLASS, value: cls }])) {
    const [id] = mod.api.C_GetAttributeValue(session, h, [{ type: p.CKA_ID }]);
    if (id.value instanceof Buffer) ids.add(id.value.toString('hex').toUpperCase());
  }
  return ids;
}

/** A certificate object read from a token. */
export interface TokenCertificate {
  handle: Buffer;
  id: string;
  label: string;
  der: Buffer;
}

/** Reads every X.509 certificate object visible in the session. */
export function readCertificates(mod: Pkcs11Module, session: Buffer): TokenCertificate[] {
  const p = pkcs11js();
  const out: TokenCertificate[] = [];
  for (const h of findAll(mod, session, [{ type: p.CKA_CLASS, value: p.CKO_CERTIFICATE }, { type: p.CKA_CERTIFICATE_TYPE, value: p.CKC_X_509 }])) {
    const [value, id, label] = mod.api.C_GetAttributeValue(session, h, [{ type: p.CKA_VALUE }, { type: p.CKA_ID }, { type: p.CKA_LABEL }]);
    if (!(value.value instanceof Buffer) || value.value.length === 0) continue;
    out.push({
      handle: h,
      id: id.value instanceof Buffer ? id.value.toString('hex').toUpperCase() : '',
      label: label.value instanceof Buffer ? label.value.toString('utf8') : '',
      der: value.value,
    });
  }
  return out;
}

/**
 * Parsed certificates by SHA-256 of their DER. The watcher rescans every second; a card's
 * certificates rarely change, so each is parsed once per process. Entries are never mutated.
 */
const infoCache = new Map<string, CertificateInfo>();
const INFO_CACHE_MAX = 2048;

/** Describes a certificate, from the cache when the same bytes were seen before. */
export function cachedCertificateInfo(der: Buffer): CertificateInfo {
  const key = createHash('sha256').update(der).digest('base64');
  let info = infoCache.get(key);
  if (!info) {
    info = parseCertificate(der).info;
    if (infoCache.size >= INFO_CACHE_MAX) infoCache.clear();
    infoCache.set(key, info);
  }
  return info;
}

function toEid(cert: TokenCertificate, info: CertificateInfo, keyIds: Set<string> | null, now: Date): CardEid {
  return {
    id: cert.id,
    label: cert.label,
    holder: info.subject.CN ?? info.subjectDn,
    organisation: info.subject.O ?? null,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    validity: validityState(info, now),
    assuranceLevel: info.assuranceLevel,
    identity: info.identity,
    upn: info.upn,
    emails: info.emails,
    purposes: info.purposes,
    keyPresent: keyIds ? keyIds.has(cert.id) : null,
    signingCertificate: null,
    certificate: info,
  };
}

/**
 * Fills in "signing certificate present" for authentication e-IDs: a signing certificate for the
 * same holder (same identity number, or same subject when there is none) anywhere in `all`.
 */
export function markSigningCertificates(all: CardEid[]): void {
  const holderKey = (e: CardEid) => e.identity?.value ?? e.certificate.subjectDn;
  const signers = new Set(all.filter((e) => e.purposes.includes('signing')).map(holderKey));
  for (const e of all) {
    if (e.purposes.includes('signing') || actsAsCA(e)) e.signingCertificate = null;
    else e.signingCertificate = signers.has(holderKey(e)) ? 'present' : 'missing';
  }
}

/**
 * Lists the initialised tokens of a module with their e-IDs. Uninitialised tokens (SoftHSM2's
 * spare slot, a blank card) are skipped: opening a session on them fails with
 * CKR_TOKEN_NOT_RECOGNIZED and there is nothing to show.
 */
export function readTokens(mod: Pkcs11Module, now = new Date()): { tokens: TokenView[]; slotCount: number } {
  const p = pkcs11js();
  const api = mod.api;
  let slots: Buffer[];
  try {
    slots = api.C_GetSlotList(true);
  } catch (err) {
    throw toCardError(err, 'C_GetSlotList');
  }
  const tokens: TokenView[] = [];
  for (const slot of slots) {
    let info;
    let slotDescription = '';
    try {
      info = api.C_GetTokenInfo(slot);
      slotDescription = ckString(api.C_GetSlotInfo(slot).slotDescription);
    } catch {
      continue; // removed between the slot list and now
    }
    if (!(info.flags & p.CKF_TOKEN_INITIALIZED)) continue;
    let session: Buffer;
    try {
      session = api.C_OpenSession(slot, p.CKF_SERIAL_SESSION);
    } catch {
      continue;
    }
    try {
      const certs = readCertificates(mod, session);
      // Keys: private keys are usually private objects (hidden until login); public keys or
      // public private-key objects tell us the key is there without asking for the PIN.
      const privIds = idsOfClass(mod, session, p.CKO_PRIVATE_KEY);
      const pubIds = idsOfClass(mod, session, p.CKO_PUBLIC_KEY);
      const keyIds = privIds.size || pubIds.size ? new Set([...privIds, ...pubIds]) : null;
      const eids: CardEid[] = [];
      for (const c of certs) {
        try {
          eids.push(toEid(c, cachedCertificateInfo(c.der), keyIds, now));
        } catch {
          // A damaged certificate object must not hide the others.
        }
      }
      const label = ckString(info.label);
      const serial = ckString(info.serialNumber);
      tokens.push({
        key: `${mod.path}#${slot.toString('hex')}#${serial}`,
        slotId: slot.toString('hex'),
        slotDescription,
        label,
        manufacturer: ckString(info.manufacturerID),
        model: ckString(info.model),
        serialNumber: serial,
        demo: label.includes(DEMO_LABEL_MARK),
        pin: pinStatusFromFlags(info.flags, info.minPinLen, info.maxPinLen),
        eids,
      });
    } finally {
      try {
        api.C_CloseSession(session);
      } catch {
        /* token gone */
      }
    }
  }
  markSigningCertificates(tokens.flatMap((t) => t.eids));
  return { tokens, slotCount: api.C_GetSlotList(false).length };
}
