/**
 * What the keystore shows of its e-IDs, key requests and older certificates: one shape for
 * `eiddesk keystore --json` and the bridge (main/ipc/handlers-files.ts), so a field added or left
 * out is added or left out in both. Public facts only: never key material, never a PIN.
 */
import { validityState } from '../pki/certificate';
import type { KeystoreEntry, KeystoreRequest } from './keystore';
import type { OlderCertificate } from './os-store/types';

/**
 * An e-ID in the keystore. `identity` says who the holder is in the caller's terms (the CLI: the
 * stored number and its kind; the bridge: the parsed identity) and stands after the organisation.
 */
export function entryView<I extends object>(e: KeystoreEntry, identity: I, now = new Date()) {
  return {
    id: e.id,
    label: e.label,
    holder: e.holder,
    organisation: e.organisation,
    ...identity,
    notBefore: e.notBefore,
    notAfter: e.notAfter,
    validity: validityState(e, now),
    fingerprintSha256: e.fingerprintSha256,
    keyAlgorithm: e.keyAlgorithm,
    createdAt: e.createdAt,
    source: e.source,
    protectedByOs: e.protectedByOs,
    installs: e.installs,
  };
}

/** A key request waiting for its certificate, with its CSR (public: the CSR is what goes to the issuer). */
export function requestView(r: KeystoreRequest) {
  return {
    id: r.id,
    label: r.label,
    subjectDn: r.subjectDn,
    algorithm: r.algorithm,
    keyAlgorithm: r.keyAlgorithm,
    createdAt: r.createdAt,
    spkiFingerprint: r.spkiFingerprint,
    protectedByOs: r.protectedByOs,
    csrPem: r.csrPem,
  };
}

/** An older certificate of the same identity in the OS store: why it is older, where, and its removal preview. */
export function olderView(o: OlderCertificate) {
  return { reason: o.reason, reference: o.certificate.reference, ...o.preview };
}
