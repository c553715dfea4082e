/**
 * `eiddesk keystore list|show|delete|request|requests|pair|delete-request` and the `p12 import`
 * subcommand (plugged into p12.ts).
 *
 *   eiddesk keystore list [--json]
 *   eiddesk keystore show ID [--json]
 *   eiddesk keystore delete ID [--yes] [--json]
 *   eiddesk keystore request --alg rsa2048|rsa3072|ec-p256 --subject DN [--label L] --csr-out FILE [--json]
 *   eiddesk keystore requests [--json]
 *   eiddesk keystore pair FILE [--to keystore|os]... [--label L] [--json]
 *   eiddesk keystore delete-request ID [--yes] [--json]
 *   eiddesk p12 import FILE [--to keystore|os]... [--label TEXT] [--remove-older] [--json]
 *
 * The keystore directory is EIDDESK_KEYSTORE_DIR or the per-OS default (main/keystore/paths.ts).
 * Secrets (the file's password, the keystore PIN) come from EIDDESK_P12_PASSWORD and EIDDESK_PIN
 * or a prompt, never from argv. No command here can print or export a private key.
 */
import { createInterface } from 'node:readline';
import { open as openFile, rm, stat, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { EidError } from '../errors';
import { validityState } from '../pki/certificate';
import { Keystore, type KeystoreEntry } from '../keystore/keystore';
import { REQUEST_ALGORITHMS, type RequestAlgorithm } from '../keystore/format';
import { MAX_CERTIFICATE_FILE_BYTES, looksLikePkcs12 } from '../keystore/certificate-file';
import { assertRequestAlgorithm, requestSubject } from '../keystore/requests';
import { keystoreDir } from '../keystore/paths';
import { PIN_RULES } from '../keystore/pin-rules';
import { eidsInPkcs12 } from '../keystore/from-pkcs12';
import type { InstalledCert, OsStoreInstaller } from '../keystore/os-store/types';
import { entryView, olderView, requestView } from '../keystore/views';
import { Exit, UsageError, flag, has, parseArgs, printError, printJson, println, readSecret, type CliIo, type ParsedArgs } from './io';

/** The environment variable with the keystore PIN. */
export const PIN_ENV = 'EIDDESK_PIN';

const HELP = `Usage: eiddesk keystore <subcommand> [options]

The local keystore of e-IDs on file (encrypted under a PIN you chose at import).

Subcommands:
  list [--json]              list the e-IDs in the keystore
  show ID [--json]           details of one e-ID (ID: the id from list, or its first characters)
  delete ID [--yes] [--json] delete an e-ID; asks for confirmation unless --yes

Orders made with a certificate request (CSR): the key is made here and never leaves.
  request --subject DN --csr-out FILE [--alg rsa2048|rsa3072|ec-p256] [--label TEXT] [--json]
                             make a key pair in the keystore and write its CSR (PEM) to FILE
                             ("-" for standard output). DN: "CN=1234567-8,O=Company Oy,C=FI";
                             CN is required, C is two letters. --alg defaults to rsa2048.
  requests [--json]          list the key requests waiting for their certificate
  pair FILE [--to keystore|os]... [--label TEXT] [--json]
                             pair the certificate the issuer delivered with its key here: a
                             .cer/.crt/.pem, a .p7b/.p7c (PKCS#7), or a certificates-only
                             .p12/.pfx. The request becomes an e-ID; a renewal for the key of an
                             e-ID here becomes a new e-ID next to the old one. The keystore always
                             keeps it; --to os also installs it into this computer's certificate
                             store (all or nothing).
  delete-request ID [--yes] [--json]
                             delete a key request; its key is gone for good. Asks unless --yes

The keystore PIN is read from ${PIN_ENV} or asked for (twice when it is chosen, for request);
a .p12 file's password from EIDDESK_P12_PASSWORD. PIN rules:
${PIN_RULES.map((r) => `  - ${r.text}`).join('\n')}
The keystore folder is EIDDESK_KEYSTORE_DIR, or the default for this system.
Private keys are never shown or exported. Exit codes: 0 ok, 1 error, 2 usage.`;

function openKeystore(io: CliIo): Keystore {
  return new Keystore({ dir: keystoreDir(io.env) });
}

/** For the subcommands that take no positional argument. */
function noPositional(args: ParsedArgs): void {
  if (args.positional.length) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
}

/** The one positional argument of a subcommand (an ID or a FILE). */
function onePositional(args: ParsedArgs, what: 'ID' | 'FILE'): string {
  if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `give exactly one ${what}` : `missing ${what}`);
  return args.positional[0];
}

/** Keystore files that cannot be read, one line each on stderr (after the listing, which goes on). */
function printDamaged(io: CliIo, damaged: ReadonlyArray<{ id: string; message: string }>): void {
  for (const d of damaged) println(io.stderr, `eiddesk: ${d.id}: ${d.message}`);
}

/** An e-ID in --json: the keystore's view with the identity number as stored, and its kind. */
function publicView(e: KeystoreEntry) {
  return entryView(e, { identityNumber: e.identityNumber, identityKind: e.identityKind });
}

const KIND_TEXT: Readonly<Record<string, string>> = { 'hsa-id': 'HSA-id', 'organisation-number': 'organisation number', 'personal-number': 'personal identity number' };

function identityText(e: KeystoreEntry): string {
  return e.identityNumber ? `${KIND_TEXT[e.identityKind ?? ''] ?? 'identity number'} ${e.identityNumber}` : 'no identity number';
}

async function runList(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'] });
  const json = has(args, 'json');
  noPositional(args);
  const ks = openKeystore(io);
  try {
    const entries = await ks.list();
    const damaged = await ks.damaged();
    if (json) {
      printJson(io, { ok: true, dir: ks.dir, entries: entries.map((e) => publicView(e)), damaged });
      return Exit.OK;
    }
    if (!entries.length) println(io.stdout, `No e-IDs in the keystore (${ks.dir}). Import one with "eiddesk p12 import FILE".`);
    for (const e of entries) {
      const v = validityState(e);
      println(io.stdout, `${e.id}  ${e.label}`);
      println(io.stdout, `                  ${e.holder}${e.organisation ? `, ${e.organisation}` : ''}; ${identityText(e)}`);
      const installs = e.installs.length ? `; installed in ${e.installs.map((i) => i.kind).join(', ')}` : '';
      println(io.stdout, `                  valid to ${e.notAfter.slice(0, 10)}${v === 'valid' ? '' : ` (${v.replace(/-/g, ' ')})`}${installs}`);
    }
    printDamaged(io, damaged);
    return Exit.OK;
  } catch (err) {
    printError(io, err, json);
    return Exit.ERROR;
  }
}

async function runShow(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'] });
  const json = has(args, 'json');
  const given = onePositional(args, 'ID');
  const ks = openKeystore(io);
  try {
    const id = await ks.resolveId(given);
    const e = await ks.get(id);
    const pin = await ks.pinStatus(id);
    const { parseCertificate } = await import('../pki/certificate');
    const chain = e.chain.map((c) => {
      const i = parseCertificate(c).info;
      return { subjectDn: i.subjectDn, issuerDn: i.issuerDn, serialNumber: i.serialNumber, notBefore: i.notBefore, notAfter: i.notAfter, fingerprintSha256: i.fingerprintSha256 };
    });
    if (json) {
      printJson(io, { ok: true, entry: { ...publicView(e), chain, pin } });
      return Exit.OK;
    }
    const row = (label: string, value: string) => println(io.stdout, `${`${label}:`.padEnd(15)}${value}`);
    row('ID', e.id);
    row('Label', e.label);
    row('Holder', e.holder);
    if (e.organisation) row('Organisation', e.organisation);
    row('Identity', identityText(e));
    const v = validityState(e);
    row('Valid', `${e.notBefore.slice(0, 10)} to ${e.notAfter.slice(0, 10)}${v === 'valid' ? '' : ` (${v.replace(/-/g, ' ')})`}`);
    row('Key', `${e.keyAlgorithm} (not exportable)`);
    row('Protection', e.protectedByOs ? 'keystore PIN + OS key store' : 'keystore PIN');
    row('Fingerprint', e.fingerprintSha256);
    row('Added', `${e.createdAt.slice(0, 19).replace('T', ' ')} UTC from ${e.source}`);
    if (pin.attempts) row('Wrong PINs', `${pin.attempts}${pin.retryAfterSeconds ? `; next attempt in ${pin.retryAfterSeconds} s` : ''}`);
    for (const i of e.installs) row('Installed', `${i.kind} ${i.location}${i.reference ? ` (${i.reference})` : ''} on ${i.installedAt.slice(0, 10)}`);
    println(io.stdout, 'Chain:');
    chain.forEach((c, n) => println(io.stdout, `  ${n + 1}. ${c.subjectDn}  (to ${c.notAfter.slice(0, 10)})`));
    return Exit.OK;
  } catch (err) {
    printError(io, err, json);
    return Exit.ERROR;
  }
}

/** Reads one line from a terminal (echo on): confirmations, never secrets. */
async function askLine(io: CliIo, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    io.stderr.write(question);
    return await new Promise<string>((resolve) => {
      rl.once('line', (l) => resolve(l));
      rl.once('close', () => resolve(''));
    });
  } finally {
    rl.close();
  }
}

/** Asks before deleting for good (`question`, then how to say yes); false, with "Not deleted." said, unless the answer is yes. */
async function confirmDelete(io: CliIo, question: string): Promise<boolean> {
  const answer = await askLine(io, `${question} Type "yes" to delete: `);
  if (answer.trim().toLowerCase() === 'yes') return true;
  println(io.stderr, 'Not deleted.');
  return false;
}

async function runDelete(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json', 'yes'] });
  const json = has(args, 'json');
  const given = onePositional(args, 'ID');
  if (!has(args, 'yes') && !io.stdin.isTTY) throw new UsageError('delete asks for confirmation at a terminal; pass --yes to delete without asking');
  const ks = openKeystore(io);
  try {
    const id = await ks.resolveId(given);
    const e = await ks.get(id);
    const question =
      `Delete "${e.label}" (${e.holder}, ${identityText(e)}, valid to ${e.notAfter.slice(0, 10)}, id ${e.id}) from the keystore?\n` +
      'The private key is gone for good unless you still have the .p12 file and its password.';
    if (!has(args, 'yes') && !(await confirmDelete(io, question))) return Exit.ERROR;
    await ks.delete(id);
    if (json) printJson(io, { ok: true, deleted: id, stillInstalledIn: e.installs });
    else {
      println(io.stdout, `Deleted ${e.id} "${e.label}".`);
      for (const i of e.installs) println(io.stdout, `It is still installed in ${i.kind} ${i.location}${i.reference ? ` (${i.reference})` : ''}; remove it there too if it should go.`);
    }
    return Exit.OK;
  } catch (err) {
    printError(io, err, json);
    return Exit.ERROR;
  }
}

// ---------------------------------------------------------------------------------------------
// Key requests and pairing (orders made with a CSR)

async function runRequest(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'], values: ['alg', 'subject', 'label', 'csr-out'] });
  const json = has(args, 'json');
  noPositional(args);
  const subject = flag(args, 'subject');
  const out = flag(args, 'csr-out');
  if (!subject) throw new UsageError('missing --subject, e.g. --subject "CN=1234567-8,O=Company Oy,C=FI"');
  if (!out) throw new UsageError('missing --csr-out FILE (the CSR is written there; "-" for standard output)');
  const alg = (flag(args, 'alg') ?? 'rsa2048') as RequestAlgorithm;
  if (!REQUEST_ALGORITHMS.includes(alg)) throw new UsageError(`--alg takes ${REQUEST_ALGORITHMS.join(', ')}, not '${alg}'`);
  let fh: Awaited<ReturnType<typeof openFile>> | null = null;
  try {
    assertRequestAlgorithm(alg);
    // Everything that can be refused is refused before a PIN is asked or a key is made.
    requestSubject(subject);
    if (out !== '-') {
      try {
        fh = await openFile(out, 'wx', 0o644);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new EidError('already-exists', `${out} already exists; choose another file name for the CSR (nothing was made).`, { path: out });
        throw new EidError('unavailable', `The CSR cannot be written to ${out}. Check the folder and your rights there (nothing was made).`, { path: out });
      }
    }
    const pin = await readPinForNewEntry(io, 'Choose a keystore PIN for the key of this request: ');
    const label = flag(args, 'label');
    const r = await openKeystore(io).createRequest({ alg, subject, ...(label ? { label } : {}) }, pin);
    if (fh) {
      await fh.writeFile(r.csrPem, 'utf8');
      await fh.close();
      fh = null;
    }
    if (json) printJson(io, { ok: true, request: { ...requestView(r), csrFile: out === '-' ? null : out } });
    else {
      if (out === '-') io.stdout.write(r.csrPem);
      const say = (line: string) => println(out === '-' ? io.stderr : io.stdout, line);
      say(`Made key request ${r.id} "${r.label}" (${r.keyAlgorithm}) for ${r.subjectDn}.`);
      if (out !== '-') say(`  CSR written to ${out}. Send it to the issuer; the private key stays in the keystore.`);
      say(`  Public key SHA-256: ${r.spkiFingerprint}`);
      say('  When the certificate arrives: eiddesk keystore pair CERTIFICATE-FILE');
    }
    return Exit.OK;
  } catch (err) {
    if (fh) {
      await fh.close().catch(() => undefined);
      await rm(out as string, { force: true }).catch(() => undefined);
    }
    printError(io, err, json);
    return Exit.ERROR;
  }
}

async function runRequests(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'] });
  const json = has(args, 'json');
  noPositional(args);
  const ks = openKeystore(io);
  try {
    const requests = await ks.listRequests();
    const damaged = await ks.damagedRequests();
    if (json) {
      const views = [];
      for (const r of requests) views.push({ ...requestView(r), pin: await ks.requestPinStatus(r.id) });
      printJson(io, { ok: true, dir: ks.dir, requests: views, damaged });
      return Exit.OK;
    }
    if (!requests.length) println(io.stdout, `No key requests in the keystore (${ks.dir}). Make one with "eiddesk keystore request".`);
    for (const r of requests) {
      println(io.stdout, `${r.id}  ${r.label}`);
      println(io.stdout, `                  ${r.subjectDn}; ${r.keyAlgorithm}; made ${r.createdAt.slice(0, 10)}`);
      println(io.stdout, `                  public key SHA-256 ${r.spkiFingerprint}`);
    }
    printDamaged(io, damaged);
    return Exit.OK;
  } catch (err) {
    printError(io, err, json);
    return Exit.ERROR;
  }
}

async function runDeleteRequest(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json', 'yes'] });
  const json = has(args, 'json');
  const given = onePositional(args, 'ID');
  if (!has(args, 'yes') && !io.stdin.isTTY) throw new UsageError('delete-request asks for confirmation at a terminal; pass --yes to delete without asking');
  const ks = openKeystore(io);
  try {
    const id = await ks.resolveRequestId(given);
    // A damaged request can be deleted too; it just has less to show.
    const r = await ks.getRequest(id).catch(() => null);
    const what = r ? `"${r.label}" (${r.subjectDn}, made ${r.createdAt.slice(0, 10)}, id ${id})` : `${id} (damaged)`;
    const question = `Delete the key request ${what}?\nIts private key is gone for good: a certificate issued for this request can then never be used.`;
    if (!has(args, 'yes') && !(await confirmDelete(io, question))) return Exit.ERROR;
    await ks.deleteRequest(id);
    if (json) printJson(io, { ok: true, deleted: id });
    else println(io.stdout, `Deleted key request ${id}${r ? ` "${r.label}"` : ''}.`);
    return Exit.OK;
  } catch (err) {
    printError(io, err, json);
    return Exit.ERROR;
  }
}

/** Seams for tests of `keystore pair`: the OS store to use. */
export type PairDeps = P12ImportDeps;

/** The --to places (keystore by default), each 'keystore' or 'os'. */
function parseTargets(args: ParsedArgs): Set<string> {
  const targets = new Set(args.flags.get('to') ?? ['keystore']);
  for (const t of targets) if (t !== 'keystore' && t !== 'os') throw new UsageError(`--to takes 'keystore' or 'os', not '${t}'`);
  return targets;
}

/** `eiddesk keystore pair FILE`: the certificate for a key made here (request or renewal), into the keystore and optionally the OS store. */
export async function runPair(argv: string[], io: CliIo, deps: PairDeps = {}): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'], values: ['to', 'label'] });
  const json = has(args, 'json');
  const file = onePositional(args, 'FILE');
  const targets = parseTargets(args);
  const label = flag(args, 'label');
  try {
    let size: number;
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new EidError('validation', `${file} is not a file.`);
      size = st.size;
    } catch (err) {
      if (err instanceof EidError) throw err;
      throw new EidError('not-found', `The file ${file} cannot be found or read.`, { path: file });
    }
    if (size > MAX_CERTIFICATE_FILE_BYTES) {
      throw new EidError('too-large', `The file is ${size} bytes; a certificate file is a few kilobytes. Check that you chose the right file.`, { size, limit: MAX_CERTIFICATE_FILE_BYTES });
    }
    const data = await readFile(file);
    const isP12 = ['.p12', '.pfx'].includes(extname(file).toLowerCase()) || looksLikePkcs12(data);
    const installer = targets.has('os') ? await usableOsStore(io, deps) : null;
    const { pairingCertificates, pairIntoStores } = await import('../ipc/handlers-files');
    const certificates = await pairingCertificates(isP12 ? { kind: 'p12', data, password: await readSecret(io, 'EIDDESK_P12_PASSWORD', `Password for ${file}: `) } : { kind: 'certificate', data });
    const ks = openKeystore(io);
    const pin = await readSecret(io, PIN_ENV, 'Keystore PIN of the key request (or of the e-ID being renewed): ');
    const out = await pairIntoStores(ks, installer, certificates, { pin, osStore: installer !== null, ...(label ? { label } : {}) });
    const { result, leaf } = out;
    const view = {
      entryId: result.entryId,
      dir: ks.dir,
      label: result.entry.label,
      holder: result.entry.holder,
      organisation: result.entry.organisation,
      identityNumber: result.entry.identityNumber,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      fingerprintSha256: leaf.fingerprintSha256,
      keyAlgorithm: result.entry.keyAlgorithm,
      chainLength: result.entry.chain.length,
      replacedRequest: result.replacedRequest,
      requestId: result.requestId,
      renewalOf: result.renewalOf,
      osStore: out.osStore,
      olderInStore: out.older.map(olderView),
    };
    if (json) printJson(io, { ok: true, paired: view });
    else {
      println(io.stdout, `Paired ${view.holder}${view.identityNumber ? ` (${view.identityNumber})` : ''}, valid to ${view.notAfter.slice(0, 10)}.`);
      println(io.stdout, `  Keystore: id ${view.entryId} in ${view.dir}; ${result.requestId ? `made from key request ${result.requestId}, which is now gone` : `a renewal of ${result.renewalOf}, which is kept`}`);
      if (out.osStore) println(io.stdout, `  Installed in ${out.osStore.kind} ${out.osStore.location} as "${out.osStore.reference}" (private key not exportable)`);
      for (const o of out.older) println(io.stdout, `  Note: an older certificate of the same identity is in the store: ${o.preview.summary}`);
    }
    return Exit.OK;
  } catch (err) {
    printError(io, err, json);
    return Exit.ERROR;
  }
}

const SUBCOMMANDS: Readonly<Record<string, (argv: string[], io: CliIo) => Promise<number>>> = {
  list: runList,
  show: runShow,
  delete: runDelete,
  request: runRequest,
  requests: runRequests,
  pair: (argv, io) => runPair(argv, io),
  'delete-request': runDeleteRequest,
};

/** Entry point from main/cli.ts. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    println(sub ? io.stdout : io.stderr, HELP);
    return sub ? Exit.OK : Exit.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    println(io.stdout, HELP);
    return Exit.OK;
  }
  const handler = SUBCOMMANDS[sub];
  if (!handler) throw new UsageError(`unknown subcommand '${sub}'`);
  return handler(rest, io);
}

// ---------------------------------------------------------------------------------------------
// eiddesk p12 import

/** Help text for `p12 import`. */
export const P12_IMPORT_HELP = `Usage: eiddesk p12 import FILE [--to keystore|os]... [--label TEXT] [--remove-older] [--json]

Imports the e-ID(s) in a PKCS#12 (.p12/.pfx) file.
  --to keystore   into the local keystore, encrypted under a PIN you choose (default)
  --to os         into this computer's certificate store, so browsers can use it
                  (Linux: NSS ~/.pki/nssdb or EIDDESK_NSS_DIR; Windows: CurrentUser\\My; macOS: login keychain)
                  Give --to twice for both.
  --label TEXT    name shown in the keystore (default: the holder's name)
  --remove-older  remove older certificates of the same identity from the OS store without asking
  --json          print one JSON document

The file's password (the PIN code from the PIN letter) is read from EIDDESK_P12_PASSWORD, the new
keystore PIN from ${PIN_ENV}; either is asked for when not set. Keystore PIN rules:
${PIN_RULES.map((r) => `  - ${r.text}`).join('\n')}
Private keys are stored non-exportable. Exit codes: 0 ok, 1 error, 2 usage.`;

/** Seams for tests: the OS store to use. */
export interface P12ImportDeps {
  osStore?: (io: CliIo) => OsStoreInstaller;
}

async function defaultOsStore(io: CliIo): Promise<OsStoreInstaller> {
  const { osStoreInstaller } = await import('../keystore/os-store/index');
  return osStoreInstaller(process.platform, io.env.EIDDESK_NSS_DIR ? { dir: io.env.EIDDESK_NSS_DIR } : {});
}

/** The OS store for --to os (the test seam's, or this system's), refused when its tools are missing. */
async function usableOsStore(io: CliIo, deps: P12ImportDeps): Promise<OsStoreInstaller> {
  const installer = deps.osStore ? deps.osStore(io) : await defaultOsStore(io);
  if (!(await installer.available())) {
    throw new EidError('unavailable', `The certificate store (${installer.kind}) cannot be used here: its tools are missing. On Linux install libnss3-tools (certutil, pk12util).`, { store: installer.kind });
  }
  return installer;
}

async function readPinForNewEntry(io: CliIo, prompt = 'Choose a keystore PIN for this e-ID: '): Promise<string> {
  if (io.env[PIN_ENV] !== undefined) return io.env[PIN_ENV] as string;
  const pin = await readSecret(io, PIN_ENV, prompt);
  if (io.stdin.isTTY) {
    const again = await readSecret(io, PIN_ENV, 'Repeat the keystore PIN: ');
    if (again !== pin) throw new EidError('validation', 'The two PINs differ. Nothing was stored; run the command again.');
  }
  return pin;
}

/** `eiddesk p12 import`: decode, validate, add to the keystore and/or install into the OS store. */
export async function runP12Import(argv: string[], io: CliIo, deps: P12ImportDeps = {}): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    println(io.stdout, P12_IMPORT_HELP);
    return Exit.OK;
  }
  const args = parseArgs(argv, { booleans: ['json', 'remove-older'], values: ['to', 'label'] });
  const json = has(args, 'json');
  const file = onePositional(args, 'FILE');
  const targets = parseTargets(args);
  const label = flag(args, 'label');
  const pkcs12 = await import('../pkcs12');
  let contents: Awaited<ReturnType<typeof pkcs12.openPkcs12>> | null = null;
  try {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      throw new EidError('not-found', `The file ${file} cannot be found or read.`, { path: file });
    }
    if (size > pkcs12.DEFAULT_LIMITS.maxBytes) {
      throw new EidError('too-large', `The file is ${size} bytes; a PKCS#12 e-ID file is a few kilobytes. Check that you chose the right file.`, { size, limit: pkcs12.DEFAULT_LIMITS.maxBytes });
    }
    const data = await readFile(file);
    const password = await readSecret(io, 'EIDDESK_P12_PASSWORD', `Password for ${file}: `);
    contents = await pkcs12.openPkcs12(data, password);
    const report = pkcs12.describePkcs12(contents);
    pkcs12.requireKeyAndCertificate(report);
    const eids = eidsInPkcs12(contents);
    if (!eids.length) throw new EidError('key-mismatch', 'The private key in the file does not belong to any certificate in it. Download or export the file again.');

    let ks: Keystore | null = null;
    let pin = '';
    if (targets.has('keystore')) {
      ks = openKeystore(io);
      pin = await readPinForNewEntry(io);
    }
    const installer = targets.has('os') ? await usableOsStore(io, deps) : null;

    const results = [];
    for (const eid of eids) {
      const info = eid.leaf.info;
      const result: Record<string, unknown> = {
        holder: info.subject.CN ?? info.subjectDn,
        organisation: info.subject.O ?? null,
        identityNumber: info.identity?.value ?? null,
        notAfter: info.notAfter,
        fingerprintSha256: info.fingerprintSha256,
        keystore: null,
        osStore: null,
        olderInStore: [],
        removedOlder: [],
      };
      let installed: InstalledCert | null = null;
      if (ks) {
        const id = await ks.add({ pkcs8: eid.pkcs8, chain: eid.chain, source: 'pkcs12-file', ...(label ? { label } : eid.friendlyName ? { label: eid.friendlyName } : {}) }, pin);
        result.keystore = { id, dir: ks.dir };
        if (installer) installed = await ks.installToOsStore(id, pin, installer);
      } else if (installer) {
        installed = await installer.install({ pkcs8: eid.pkcs8, chain: eid.chain, friendlyName: label ?? eid.friendlyName ?? info.subject.CN ?? 'e-ID' });
      }
      if (installer && installed) {
        result.osStore = { kind: installer.kind, location: installer.location, reference: installed.reference };
        const older = await installer.findOlder(info);
        result.olderInStore = older.map(olderView);
        const removed: string[] = [];
        for (const o of older) {
          let remove = has(args, 'remove-older');
          if (!remove && io.stdin.isTTY && !json) {
            remove = (await askLine(io, `An older certificate of the same identity is in the store:\n  ${o.preview.summary}\nRemove it? [y/N] `)).trim().toLowerCase().startsWith('y');
          }
          if (remove) {
            await installer.remove(o.certificate.fingerprintSha256);
            removed.push(o.certificate.fingerprintSha256);
          }
        }
        result.removedOlder = removed;
      }
      results.push(result);
    }
    if (json) printJson(io, { ok: true, imported: results });
    else {
      for (const r of results) {
        println(io.stdout, `Imported ${String(r.holder)}${r.identityNumber ? ` (${String(r.identityNumber)})` : ''}, valid to ${String(r.notAfter).slice(0, 10)}.`);
        const k = r.keystore as { id: string; dir: string } | null;
        if (k) println(io.stdout, `  Keystore: id ${k.id} in ${k.dir}`);
        const o = r.osStore as { kind: string; location: string; reference: string } | null;
        if (o) println(io.stdout, `  Installed in ${o.kind} ${o.location} as "${o.reference}" (private key not exportable)`);
        const older = r.olderInStore as ReturnType<typeof olderView>[];
        const removed = new Set(r.removedOlder as string[]);
        for (const x of older) println(io.stdout, removed.has(x.fingerprintSha256) ? `  Removed the older certificate valid to ${x.notAfter.slice(0, 10)}.` : `  Note: an older certificate of the same identity is still there: ${x.summary} (use --remove-older)`);
      }
    }
    return Exit.OK;
  } catch (err) {
    printError(io, err, json);
    return Exit.ERROR;
  } finally {
    for (const k of contents?.keys ?? []) k.pkcs8.fill(0);
  }
}
