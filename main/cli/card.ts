/**
 * `eiddesk card test-sign|keygen|write-cert|orphans --token LABEL`: the on-card engine for IT and
 * support. The PIN comes from EIDDESK_PIN or a prompt, never from the command line.
 * Exit codes: 0 ok, 1 error (or a test signature that does not verify), 2 usage, 3 a module
 * failed to load, 4 wrong or blocked PIN.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { EidError } from '../errors';
import { KEY_ALGORITHMS, type KeyAlgorithm, type OrphanKey } from '../card/operations';
import { fail, openTarget, pinWarning, progressPrinter, refuseBlockedPin, secret, TARGET_HELP, TARGET_VALUES, type CardTarget } from './card-target';
import { Exit, flag, has, parseArgs, printJson, println, UsageError, type CliIo, type ParsedArgs } from './io';

const HELP = `Usage:
  eiddesk card test-sign  --token LABEL [--id HEX] [--json]
  eiddesk card keygen     --token LABEL --alg rsa2048|rsa3072|ec-p256 --csr-out FILE
                          [--subject DN] [--id HEX] [--label TEXT] [--json]
  eiddesk card write-cert --token LABEL FILE [--label TEXT] [--replace] [--json]
  eiddesk card orphans    --token LABEL [--delete [--id HEX]...] [--json]

test-sign   signs a random challenge with an e-ID's key (default: the valid signing e-ID) and
            verifies it with the e-ID's certificate; prints the result and the time it took.
keygen      makes a key pair on the card (private key sensitive, not extractable) and writes a
            PKCS#10 request signed by it. Subject: --subject "CN=Name,O=Org,serialNumber=...,C=SE"
            (or /C=SE/O=Org/CN=Name), default the subject of the card's current e-ID.
write-cert  writes an issued certificate (PEM or DER) next to its key, with the key's id and label.
orphans     lists keys without a certificate (left by a failed enrolment); --delete removes them
            (all listed, or only the --id ones).

${TARGET_HELP}
  --json          machine-readable output

The PIN is read from EIDDESK_PIN or asked for. Exit codes: 0 ok, 1 error, 2 usage,
3 a module failed to load, 4 wrong or blocked PIN.`;

const SUBCOMMANDS = ['test-sign', 'keygen', 'write-cert', 'orphans'] as const;

/** Asks the PIN after showing its state (and refuses when it is blocked). */
async function pinFor(io: CliIo, t: CardTarget, json: boolean): Promise<string> {
  refuseBlockedPin(t.token);
  const warning = pinWarning(t.token);
  if (warning && !json) println(io.stderr, warning);
  return secret(io, 'EIDDESK_PIN', 'PIN', t.token);
}

function describeOrphan(o: OrphanKey): string {
  const kind = o.keyType === 'rsa' ? `RSA ${o.bits ?? '?'}` : o.keyType === 'ec' ? `EC ${o.curve ?? '?'}` : 'unknown key type';
  const parts = [o.hasPrivateKey ? 'private key' : null, o.hasPublicKey ? 'public key' : null].filter(Boolean).join(' + ');
  return `  id ${o.id || '(none)'}  "${o.label}"  ${kind}  ${parts}${o.generatedOnCard ? '  made on the card' : ''}${o.publicKeySha256 ? `\n    public key SHA-256 ${o.publicKeySha256}` : ''}`;
}

async function testSign(io: CliIo, args: ParsedArgs, t: CardTarget, json: boolean): Promise<number> {
  const pin = await pinFor(io, t, json);
  const r = await t.ops.testSign(t.token.key, { pin, id: flag(args, 'id') }, progressPrinter(io, json));
  if (json) printJson(io, { ok: r.verified, ...r });
  else {
    const kind = r.keyType === 'rsa' ? `RSA ${r.keyBits}` : r.keyType === 'ec' ? `EC ${r.keyBits}` : r.keyType;
    println(io.stdout, `Test signature with e-ID ${r.id} "${r.label}" (${r.holder}): ${r.verified ? 'VERIFIED' : 'DID NOT VERIFY'}`);
    println(io.stdout, `  ${kind}, ${r.algorithm} via ${r.mechanism}; ${r.durationMs} ms in all, ${r.signMs} ms on the card`);
    println(io.stdout, `  certificate SHA-256 ${r.certificateFingerprint}`);
  }
  if (!r.verified && !json) println(io.stderr, 'eiddesk: the signature does not verify with the certificate: the key on the card and the certificate do not belong together.');
  return r.verified ? Exit.OK : Exit.ERROR;
}

async function keygen(io: CliIo, args: ParsedArgs, t: CardTarget, json: boolean): Promise<number> {
  const alg = flag(args, 'alg');
  if (!alg || !KEY_ALGORITHMS.includes(alg as KeyAlgorithm)) throw new UsageError(`--alg must be one of ${KEY_ALGORITHMS.join(', ')}`);
  const out = flag(args, 'csr-out');
  if (!out) throw new UsageError('--csr-out FILE is required (where the certificate request goes)');
  const pin = await pinFor(io, t, json);
  // Claim the output file before the key exists: a key whose request cannot be saved is an orphan.
  let fd: number;
  try {
    fd = openSync(out, 'wx');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new EidError(code === 'EEXIST' ? 'already-exists' : 'validation', code === 'EEXIST' ? `${out} already exists: choose another file name.` : `Cannot create ${out}: ${(err as Error).message}`);
  }
  let written = false;
  try {
    const r = await t.ops.generateKey(t.token.key, { pin, algorithm: alg as KeyAlgorithm, subject: flag(args, 'subject'), id: flag(args, 'id'), label: flag(args, 'label') }, progressPrinter(io, json));
    writeSync(fd, r.csrPem);
    written = true;
    if (json) printJson(io, { ok: true, ...r, csrFile: out });
    else {
      println(io.stdout, `Key pair ${alg} made on "${t.token.label}": id ${r.id}, label "${r.label}" (sensitive, not extractable).`);
      println(io.stdout, `Certificate request for ${r.subjectDn} written to ${out}.`);
      println(io.stdout, `  public key SHA-256 ${r.publicKeySha256}`);
      println(io.stdout, `The key has no certificate yet. When the CA issues it: eiddesk card write-cert --token "${t.token.label}" CERTFILE`);
    }
    return Exit.OK;
  } finally {
    closeSync(fd);
    if (!written) rmSync(out, { force: true });
  }
}

async function writeCert(io: CliIo, args: ParsedArgs, file: string | undefined, t: CardTarget, json: boolean): Promise<number> {
  if (!file) throw new UsageError('give the certificate file (PEM or DER)');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new EidError('not-found', `Cannot read ${file}: ${(err as Error).message}`);
  }
  const pin = await pinFor(io, t, json);
  const r = await t.ops.writeCertificate(t.token.key, { pin, certificate: bytes, label: flag(args, 'label'), replace: has(args, 'replace') }, progressPrinter(io, json));
  if (json) printJson(io, { ok: true, ...r });
  else {
    println(io.stdout, `Certificate for ${r.subjectDn} written to "${t.token.label}" next to key ${r.id}, label "${r.label}".`);
    println(io.stdout, `  valid to ${r.notAfter.slice(0, 10)}${r.validity === 'valid' ? '' : ` (${r.validity})`}; SHA-256 ${r.fingerprintSha256}${r.replaced ? `; replaced ${r.replaced} older certificate(s)` : ''}`);
  }
  return Exit.OK;
}

async function orphans(io: CliIo, args: ParsedArgs, t: CardTarget, json: boolean): Promise<number> {
  const pin = await pinFor(io, t, json);
  const list = await t.ops.listOrphans(t.token.key, { pin });
  if (!has(args, 'delete')) {
    if (json) printJson(io, { ok: true, ...list });
    else {
      println(io.stdout, list.orphans.length ? `Keys without a certificate on "${t.token.label}":` : `No keys without a certificate on "${t.token.label}".`);
      for (const o of list.orphans) println(io.stdout, describeOrphan(o));
      if (list.orphans.length) println(io.stdout, 'Delete them with --delete (or --delete --id HEX for some).');
    }
    return Exit.OK;
  }
  const ids = args.flags.get('id') ?? list.orphans.map((o) => o.id);
  if (!ids.length) {
    if (json) printJson(io, { ok: true, tokenKey: list.tokenKey, deleted: [], remaining: [] });
    else println(io.stdout, `No keys without a certificate on "${t.token.label}": nothing to delete.`);
    return Exit.OK;
  }
  const r = await t.ops.deleteOrphans(t.token.key, { pin, ids }, progressPrinter(io, json));
  if (json) printJson(io, { ok: true, ...r });
  else {
    for (const d of r.deleted) println(io.stdout, `Deleted key ${d.id || '(no id)'} (${d.objects} object${d.objects === 1 ? '' : 's'}).`);
    if (r.remaining.length) println(io.stdout, `${r.remaining.length} key(s) without a certificate remain.`);
  }
  return Exit.OK;
}

/** Runs the command. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json', 'help', 'delete', 'replace'], values: [...TARGET_VALUES, 'id', 'alg', 'subject', 'label', 'csr-out'] });
  const [sub, ...rest] = args.positional;
  if (has(args, 'help') || sub === 'help') {
    println(io.stdout, HELP);
    return Exit.OK;
  }
  if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(sub ? `unknown subcommand '${sub}'` : `${SUBCOMMANDS.join(', ')}?`);
  const maxPositional = sub === 'write-cert' ? 1 : 0;
  if (rest.length > maxPositional) throw new UsageError(`unexpected argument '${rest[maxPositional]}'`);
  if (sub === 'keygen') {
    // Argument mistakes are reported before the card or the PIN is touched.
    const alg = flag(args, 'alg');
    if (!alg || !KEY_ALGORITHMS.includes(alg as KeyAlgorithm)) throw new UsageError(`--alg must be one of ${KEY_ALGORITHMS.join(', ')}`);
    if (!flag(args, 'csr-out')) throw new UsageError('--csr-out FILE is required (where the certificate request goes)');
  }
  if (sub === 'write-cert' && !rest[0]) throw new UsageError('give the certificate file (PEM or DER)');
  if (sub !== 'orphans' && has(args, 'delete')) throw new UsageError('--delete belongs to eiddesk card orphans');
  const json = has(args, 'json');
  let target: CardTarget | undefined;
  try {
    target = await openTarget(args);
    if (sub === 'test-sign') return await testSign(io, args, target, json);
    if (sub === 'keygen') return await keygen(io, args, target, json);
    if (sub === 'write-cert') return await writeCert(io, args, rest[0], target, json);
    return await orphans(io, args, target, json);
  } catch (err) {
    return fail(io, err, json);
  } finally {
    target?.close();
  }
}
