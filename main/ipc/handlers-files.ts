/**
 * Handlers for e-IDs on file: PKCS#12, the keystore, the OS stores (issue 3).
 *
 * `p12:import` is all or nothing across the stores it touches. Order: keystore first (it checks
 * the PIN rules and that key and certificate belong together, and costs nothing to undo), then
 * the OS store, then removal of older certificates. If the OS store fails after the keystore
 * took the e-ID, the keystore entry is deleted again and every certificate the failed install
 * left in the OS store (it may have imported part of the chain) is removed; certificates that
 * were in the store before are never touched. Removing older certificates comes last and is not
 * part of the transaction: the new e-ID is installed and usable by then, so a failed removal is
 * reported, not rolled back.
 *
 * `certificate:inspect` describes a certificate file delivered for a CSR with the same code as
 * `p12:inspect` (main/pkcs12/inspect.ts), so the wizard can show what it holds and which key here
 * it belongs to before any PIN is typed.
 *
 * `keystore:pair` (an order made with a CSR) follows the same rule with one difference: the
 * keystore side is undone by Keystore.pair itself, because only it knows whether the new entry
 * may go (the key must still be in its request, or in the entry it renews). The OS-store side is
 * undone by the same `rollback` as imports.
 */
import { EidError, isEidError, toErrorPayload } from '../errors';
import { readCertificateFile } from '../keystore/certificate-file';
import { eidsInPkcs12, type EidInFile } from '../keystore/from-pkcs12';
import { PIN_MAX_LENGTH, PIN_MIN_LENGTH, PIN_RULES, assertPinAcceptable } from '../keystore/pin-rules';
import type { Keystore, KeystoreEntry, PairResult } from '../keystore/keystore';
import type { InstalledCert, OlderCertificate, OsStoreInstaller } from '../keystore/os-store/types';
import { entryView, olderView, requestView } from '../keystore/views';
import { DEFAULT_LIMITS, describeCertificateFile, describePkcs12, openPkcs12, requireKeyAndCertificate, type Pkcs12Report } from '../pkcs12';
import type { Pkcs12Contents } from '../pkcs12/types';
import { parseCertificate, type CertificateInfo } from '../pki/certificate';
import type { fileChannels } from '../../preload/channels/files';
import type { HandlerGroup } from './handler-types';

/** Decodes the base64 file and refuses what is over the decoder's limit before any parsing. */
function fileBytes(data: string): Buffer {
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > DEFAULT_LIMITS.maxBytes) {
    throw new EidError('too-large', `The file is ${bytes.length} bytes; a PKCS#12 e-ID file is a few kilobytes. Check that you chose the right file.`, {
      size: bytes.length,
      limit: DEFAULT_LIMITS.maxBytes,
    });
  }
  return bytes;
}

function wipe(contents: Pkcs12Contents | null): void {
  for (const k of contents?.keys ?? []) k.pkcs8.fill(0);
}

async function keystoreIdOf(ks: Keystore, fingerprint: string): Promise<string | null> {
  return (await ks.list()).find((e) => e.fingerprintSha256 === fingerprint)?.id ?? null;
}

/** An e-ID as the page lists it: the keystore's view with the parsed identity, its wrong-PIN state, leaf and chain. */
function listedEntry(e: KeystoreEntry, pin: { attempts: number; retryAfterSeconds: number }) {
  const chain = e.chain.map((c) => parseCertificate(c).info);
  const leaf = chain[0];
  return {
    ...entryView(e, { identity: leaf.identity }),
    pin,
    certificate: leaf,
    chain: chain.map((c) => ({ subjectDn: c.subjectDn, issuerDn: c.issuerDn, notAfter: c.notAfter, fingerprintSha256: c.fingerprintSha256 })),
  };
}

async function requireOsStore(store: OsStoreInstaller): Promise<void> {
  if (!(await store.available())) {
    throw new EidError('unavailable', `This computer's certificate store (${store.kind}) cannot be used: its tools are missing. On Linux install libnss3-tools (certutil, pk12util).`, {
      store: store.kind,
    });
  }
}

/** Fingerprints in the OS store before an import: what a rollback must never remove. */
async function storeFingerprints(store: OsStoreInstaller): Promise<Set<string>> {
  return new Set((await store.list()).map((c) => c.fingerprintSha256));
}

/** What an import did so far, to be undone in reverse if a later step fails. */
interface Undo {
  keystoreIds: string[];
  osStoreBefore: Set<string> | null;
}

/**
 * Undoes an import. Best effort: every step is tried even when one fails; returns whether all
 * succeeded. The OS store loses only what was not there before the import (leaf first, so NSS
 * never keeps a key whose certificate is gone).
 */
async function rollback(ks: Keystore, store: OsStoreInstaller, undo: Undo, leafFingerprints: string[]): Promise<boolean> {
  let complete = true;
  if (undo.osStoreBefore) {
    const before = undo.osStoreBefore;
    let now: InstalledCert[] = [];
    try {
      now = await store.list();
    } catch {
      complete = false;
    }
    const added = now.filter((c) => !before.has(c.fingerprintSha256));
    added.sort((a, b) => Number(leafFingerprints.includes(b.fingerprintSha256)) - Number(leafFingerprints.includes(a.fingerprintSha256)) || Number(a.info.isCA) - Number(b.info.isCA));
    for (const c of added) {
      try {
        await store.remove(c.fingerprintSha256);
      } catch (err) {
        // A chain certificate that went with the leaf's removal is already gone: not a failure.
        if (!(isEidError(err) && err.code === 'not-found')) complete = false;
      }
    }
  }
  for (const id of [...undo.keystoreIds].reverse()) {
    try {
      await ks.delete(id);
    } catch (err) {
      if (!(isEidError(err) && err.code === 'not-found')) complete = false;
    }
  }
  return complete;
}

/** Adds the e-IDs to the keystore and/or the OS store; all or nothing. */
async function importEids(
  ks: Keystore,
  store: OsStoreInstaller,
  eids: EidInFile[],
  opts: { keystore: boolean; osStore: boolean; pin: string; label: string | undefined },
) {
  const undo: Undo = { keystoreIds: [], osStoreBefore: null };
  const leafFingerprints = eids.map((e) => e.leaf.info.fingerprintSha256);
  const imported = [];
  try {
    if (opts.osStore) undo.osStoreBefore = await storeFingerprints(store);
    for (const eid of eids) {
      const info = eid.leaf.info;
      const label = opts.label || eid.friendlyName;
      let keystoreId: string | null = null;
      let installed: InstalledCert | null = null;
      if (opts.keystore) {
        keystoreId = await ks.add({ pkcs8: eid.pkcs8, chain: eid.chain, source: 'pkcs12-file', ...(label ? { label } : {}) }, opts.pin);
        undo.keystoreIds.push(keystoreId);
      }
      if (opts.osStore) {
        installed = keystoreId
          ? await ks.installToOsStore(keystoreId, opts.pin, store)
          : await store.install({ pkcs8: eid.pkcs8, chain: eid.chain, friendlyName: label || info.subject.CN || 'e-ID' });
      }
      imported.push({
        holder: info.subject.CN ?? info.subject.O ?? info.subjectDn,
        identity: info.identity,
        notAfter: info.notAfter,
        fingerprintSha256: info.fingerprintSha256,
        keystoreId,
        osStore: installed ? { kind: store.kind, location: store.location, reference: installed.reference } : null,
      });
    }
    return imported;
  } catch (err) {
    const complete = await rollback(ks, store, undo, leafFingerprints);
    throw complete ? err : rollbackIncomplete(err);
  }
}

/** The error of a failed import or pairing whose undoing did not fully succeed: same code, says so. */
function rollbackIncomplete(err: unknown): EidError {
  const payload = toErrorPayload(err);
  return new EidError(
    payload.code,
    `${payload.message} Undoing the import did not fully succeed: check the e-IDs on file and the certificate store.`,
    { ...(payload.details ?? {}), rollback: 'incomplete' },
    { cause: err },
  );
}

/** Where the certificates to pair come from: a certificates-only PKCS#12 (with its password), or a certificate file. */
export type PairingSource = { kind: 'p12'; data: Buffer; password: string } | { kind: 'certificate'; data: Buffer };

/**
 * The certificates of a file delivered for a CSR, for `Keystore.pair`. A PKCS#12 goes through
 * main/pkcs12 (its limits, its password); one that also holds a private key is a complete e-ID
 * and is refused with a pointer to the import ('validation', details.reason 'has-private-key').
 * Certificate files go through readCertificateFile (size-bounded, hostile input is 'malformed').
 * Shared by the bridge and `eiddesk keystore pair`.
 */
export async function pairingCertificates(source: PairingSource): Promise<Buffer[]> {
  if (source.kind === 'certificate') return readCertificateFile(source.data).certificates;
  let contents: Pkcs12Contents | null = null;
  try {
    contents = await openPkcs12(source.data, source.password);
    if (contents.keys.length > 0) {
      throw new EidError('validation', 'This file holds a private key as well: it is a complete e-ID, not a certificate for a key made here. Import it as an e-ID file instead of pairing it.', {
        reason: 'has-private-key',
      });
    }
    if (contents.certificates.length === 0) throw new EidError('no-certificate', 'The file holds no certificate. Download the certificate again.');
    return contents.certificates.map((c) => Buffer.from(c.der));
  } finally {
    wipe(contents);
  }
}

/** What `pairIntoStores` did. */
export interface PairOutcome {
  result: PairResult;
  leaf: CertificateInfo;
  osStore: { kind: OsStoreInstaller['kind']; location: string; reference: string } | null;
  /** Older certificates of the same identity in the OS store (only when installing there). */
  older: OlderCertificate[];
}

/**
 * Pairs certificates with their key in the keystore and, with `osStore`, installs the new e-ID
 * into the OS store before the pairing commits: all or nothing. If the install fails, the OS
 * store loses what the install added (the same `rollback` as imports) and Keystore.pair takes
 * the new entry out again while the key is still in its request. Shared by the bridge and the CLI.
 */
export async function pairIntoStores(
  ks: Keystore,
  store: OsStoreInstaller | null,
  certificates: Buffer[],
  opts: { pin: string; osStore: boolean; label?: string; target?: { kind: 'request' | 'entry'; id: string } },
): Promise<PairOutcome> {
  if (opts.osStore && !store) throw new EidError('internal', 'No certificate store was given to install into.');
  // keystoreIds stays empty on purpose: the keystore side is undone by Keystore.pair (see the module comment).
  const undo: Undo = { keystoreIds: [], osStoreBefore: null };
  let installed: InstalledCert | null = null;
  let leafFingerprints: string[] = [];
  let result: PairResult;
  try {
    if (opts.osStore && store) {
      await requireOsStore(store);
      undo.osStoreBefore = await storeFingerprints(store);
    }
    result = await ks.pair(certificates, opts.pin, {
      ...(opts.label ? { label: opts.label } : {}),
      ...(opts.target ? { target: opts.target } : {}),
      ...(opts.osStore && store
        ? {
            beforeCommit: async (entry: KeystoreEntry) => {
              leafFingerprints = [entry.fingerprintSha256];
              installed = await ks.installToOsStore(entry.id, opts.pin, store);
            },
          }
        : {}),
    });
  } catch (err) {
    if (!undo.osStoreBefore || !store) throw err;
    const complete = await rollback(ks, store, undo, leafFingerprints);
    throw complete ? err : rollbackIncomplete(err);
  }
  const leaf = parseCertificate(result.entry.chain[0]).info;
  // Assigned inside beforeCommit; TypeScript cannot see that through the callback.
  const done = installed as InstalledCert | null;
  return {
    result,
    leaf,
    osStore: done && store ? { kind: store.kind, location: store.location, reference: done.reference } : null,
    older: done && store ? await olderThan(store, [leaf]).catch(() => []) : [],
  };
}

/** Removes the requested older certificates, but only ones the store confirms are older certificates of these identities. */
async function removeOlder(store: OsStoreInstaller, leaves: CertificateInfo[], wanted: string[]) {
  const removed: string[] = [];
  const removeFailed: Array<{ fingerprintSha256: string; code: string; message: string }> = [];
  if (wanted.length === 0) return { removed, removeFailed };
  const older = new Set<string>();
  for (const leaf of leaves) for (const o of await store.findOlder(leaf)) older.add(o.certificate.fingerprintSha256);
  for (const fp of wanted) {
    if (!older.has(fp)) {
      removeFailed.push({ fingerprintSha256: fp, code: 'not-found', message: 'That certificate is not an older certificate of this e-ID in the certificate store; it was left alone.' });
      continue;
    }
    try {
      await store.remove(fp);
      removed.push(fp);
    } catch (err) {
      const p = toErrorPayload(err);
      removeFailed.push({ fingerprintSha256: fp, code: p.code, message: p.message });
    }
  }
  return { removed, removeFailed };
}

async function olderThan(store: OsStoreInstaller, leaves: CertificateInfo[]): Promise<OlderCertificate[]> {
  const seen = new Set<string>();
  const out: OlderCertificate[] = [];
  for (const leaf of leaves) {
    for (const o of await store.findOlder(leaf)) {
      if (seen.has(o.certificate.fingerprintSha256) || leaves.some((l) => l.fingerprintSha256 === o.certificate.fingerprintSha256)) continue;
      seen.add(o.certificate.fingerprintSha256);
      out.push(o);
    }
  }
  return out;
}

/** The certificate an `os-store:older` request is about. */
async function certificateFor(req: { id?: string; fingerprint?: string; certificate?: string }, ks: Keystore, store: OsStoreInstaller): Promise<CertificateInfo> {
  if (req.certificate !== undefined) {
    try {
      return parseCertificate(Buffer.from(req.certificate, 'base64')).info;
    } catch (err) {
      throw new EidError('malformed', 'The certificate cannot be read.', undefined, { cause: err });
    }
  }
  if (req.id !== undefined) return parseCertificate((await ks.get(req.id)).chain[0]).info;
  const fp = req.fingerprint as string;
  const entry = (await ks.list()).find((e) => e.fingerprintSha256 === fp);
  if (entry) return parseCertificate(entry.chain[0]).info;
  const inStore = (await store.available()) ? (await store.list()).find((c) => c.fingerprintSha256 === fp) : undefined;
  if (inStore) return inStore.info;
  throw new EidError('not-found', 'No e-ID with this fingerprint is in the keystore or the certificate store.', { fingerprint: fp });
}

/**
 * What the wizard gets back from an inspection: the report, plus what only main can say about its
 * leaf: its DER (for os-store:older), the keystore entry that already holds it, and the key
 * requests or entries whose key it was issued for. Shared by p12:inspect and certificate:inspect,
 * so both answers are built the same way.
 */
async function reportView(ks: Keystore, fileName: string, report: Pkcs12Report, certificates: readonly Buffer[]) {
  const leafDer = report.leaf ? certificates[report.leaf.index] : null;
  const inKeystore = report.leaf ? await keystoreIdOf(ks, report.leaf.fingerprintSha256) : null;
  const pairable = leafDer ? await ks.pairable(leafDer) : [];
  return { ...report, fileName, leafDer: leafDer ? leafDer.toString('base64') : null, inKeystore, pairable };
}

/** File e-ID handlers. */
export const fileHandlers: HandlerGroup<keyof typeof fileChannels> = {
  'p12:inspect': async (req, s) => {
    const data = fileBytes(req.data);
    let contents: Pkcs12Contents | null = null;
    try {
      contents = await openPkcs12(data, req.password);
      const report = describePkcs12(contents);
      return await reportView(s.keystore, req.fileName, report, contents.certificates.map((c) => c.der));
    } finally {
      wipe(contents);
    }
  },

  'certificate:inspect': async (req, s) => {
    // readCertificateFile bounds the size and the number of certificates before decoding anything.
    const { certificates } = readCertificateFile(Buffer.from(req.data, 'base64'));
    return reportView(s.keystore, req.fileName, describeCertificateFile(certificates), certificates);
  },

  'p12:import': async (req, s) => {
    const data = fileBytes(req.data);
    const { keystore: toKeystore, osStore: toOsStore } = req.targets;
    const pin = req.keystorePin ?? '';
    // Everything that can be refused is refused before any store changes.
    if (toKeystore) assertPinAcceptable(pin);
    if (toOsStore || req.removeOlder.length) await requireOsStore(s.osStore);
    let contents: Pkcs12Contents | null = null;
    try {
      contents = await openPkcs12(data, req.password);
      requireKeyAndCertificate(describePkcs12(contents));
      const eids = eidsInPkcs12(contents);
      if (eids.length === 0) throw new EidError('key-mismatch', 'The private key in the file does not belong to any certificate in it. Download or export the file again.');
      if (toKeystore) {
        for (const e of eids) {
          const existing = await keystoreIdOf(s.keystore, e.leaf.info.fingerprintSha256);
          if (existing) throw new EidError('already-exists', 'This e-ID is already in the keystore. Find it under E-IDs on file.', { id: existing });
        }
      }
      const imported = await importEids(s.keystore, s.osStore, eids, { keystore: toKeystore, osStore: toOsStore, pin, label: req.label?.trim() || undefined });
      const leaves = eids.map((e) => e.leaf.info);
      const { removed, removeFailed } = await removeOlder(s.osStore, leaves, req.removeOlder);
      const older = toOsStore || req.removeOlder.length ? (await olderThan(s.osStore, leaves)).map(olderView) : [];
      return { imported, older, removed, removeFailed };
    } finally {
      wipe(contents);
    }
  },

  'keystore:list': async (_req, s) => {
    const entries = await s.keystore.list();
    const views = [];
    for (const e of entries) views.push(listedEntry(e, await s.keystore.pinStatus(e.id)));
    const damaged = (await s.keystore.damaged()).map((d) => ({ id: d.id, code: d.code, message: d.message }));
    return { dir: s.keystore.dir, entries: views, damaged };
  },

  'keystore:pin-rules': () => ({ minLength: PIN_MIN_LENGTH, maxLength: PIN_MAX_LENGTH, rules: PIN_RULES.map((r) => ({ id: r.id, text: r.text })) }),

  'keystore:change-pin': async (req, s) => {
    await s.keystore.changePin(req.id, req.oldPin, req.newPin);
    return { id: req.id };
  },

  'keystore:delete': async (req, s) => {
    // A damaged entry (listed under `damaged`) cannot be read, but must still be deletable:
    // that is the only way out the page offers. Its install records are unreadable too.
    let installs: KeystoreEntry['installs'] = [];
    try {
      installs = (await s.keystore.get(req.id)).installs;
    } catch (err) {
      if (!(isEidError(err) && err.code === 'keystore-corrupt')) throw err;
    }
    await s.keystore.delete(req.id);
    return { deleted: req.id, stillInstalledIn: installs };
  },

  'keystore:create-request': async (req, s) => {
    const r = await s.keystore.createRequest({ alg: req.alg, subject: req.subject, ...(req.label?.trim() ? { label: req.label } : {}) }, req.pin);
    return { id: r.id, csrPem: r.csrPem, subjectDn: r.subjectDn, spkiFingerprint: r.spkiFingerprint, algorithm: r.algorithm, label: r.label, createdAt: r.createdAt };
  },

  'keystore:requests': async (_req, s) => {
    const views = [];
    for (const r of await s.keystore.listRequests()) views.push({ ...requestView(r), pin: await s.keystore.requestPinStatus(r.id) });
    const damaged = (await s.keystore.damagedRequests()).map((d) => ({ id: d.id, code: d.code, message: d.message }));
    return { requests: views, damaged };
  },

  'keystore:delete-request': async (req, s) => {
    await s.keystore.deleteRequest(req.id);
    return { deleted: req.id };
  },

  'keystore:pair': async (req, s) => {
    const src = req.source;
    const data = src.kind === 'p12' ? fileBytes(src.data) : Buffer.from(src.data, 'base64');
    // Refused before anything is read or stored: an OS store that cannot be used.
    if (req.targets.osStore) await requireOsStore(s.osStore);
    const certificates = await pairingCertificates(src.kind === 'p12' ? { kind: 'p12', data, password: src.password } : { kind: 'certificate', data });
    const out = await pairIntoStores(s.keystore, s.osStore, certificates, { pin: req.pin, osStore: req.targets.osStore, label: req.label?.trim() || undefined, target: req.target });
    return {
      entryId: out.result.entryId,
      holder: out.result.entry.holder,
      identity: out.leaf.identity,
      notAfter: out.leaf.notAfter,
      fingerprintSha256: out.leaf.fingerprintSha256,
      replacedRequest: out.result.replacedRequest,
      requestId: out.result.requestId,
      renewalOf: out.result.renewalOf,
      osStore: out.osStore,
      older: out.older.map(olderView),
    };
  },

  'os-store:info': async (_req, s) => ({ kind: s.osStore.kind, location: s.osStore.location, available: await s.osStore.available() }),

  'os-store:older': async (req, s) => {
    const store = s.osStore;
    const target = await certificateFor(req, s.keystore, store);
    const available = await store.available();
    const older = available ? (await store.findOlder(target)).map(olderView) : [];
    return { kind: store.kind, location: store.location, available, older };
  },

  'os-store:remove': async (req, s) => {
    await requireOsStore(s.osStore);
    await s.osStore.remove(req.fingerprint);
    return { removed: req.fingerprint };
  },
};
