/**
 * `eiddesk p12 <subcommand>`: PKCS#12 (.p12/.pfx) files.
 *
 *   eiddesk p12 inspect FILE [--json] [--require-key]
 *
 * The password comes from EIDDESK_P12_PASSWORD or a prompt, never from argv. Subcommands are in
 * SUBCOMMANDS; `import` (keystore / OS store) plugs in there and can reuse inspectFile.
 * Imports stay light: decoding loads no X.509 library and starts worker threads only for files
 * whose key derivation is heavy enough to need them.
 */
import { readFile, stat } from 'node:fs/promises';
import { EidError } from '../errors';
import { DEFAULT_LIMITS, inspectPkcs12, requireKeyAndCertificate, type InspectOptions, type Pkcs12Report } from '../pkcs12';
import { Exit, UsageError, has, parseArgs, printError, printJson, println, readSecret, type CliIo } from './io';

/** The environment variable holding the file's password (the PIN code from the PIN letter). */
export const P12_PASSWORD_ENV = 'EIDDESK_P12_PASSWORD';

/**
 * Reads and inspects one file. Refuses an oversized file from its size alone, before reading it.
 * Reusable by `p12 import` and the app's bridge.
 */
export async function inspectFile(path: string, password: string, opts: InspectOptions = {}): Promise<Pkcs12Report> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new EidError('validation', `${path} is not a file.`);
    size = st.size;
  } catch (err) {
    if (err instanceof EidError) throw err;
    throw new EidError('not-found', `The file ${path} cannot be found or read.`, { path });
  }
  if (size > limits.maxBytes) {
    throw new EidError(
      'too-large',
      `The file is ${size.toLocaleString('en-US')} bytes; a PKCS#12 e-ID file is a few kilobytes and at most ${limits.maxBytes.toLocaleString('en-US')} bytes are accepted. Check that you chose the right file.`,
      { size, limit: limits.maxBytes },
    );
  }
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch {
    throw new EidError('not-found', `The file ${path} cannot be read.`, { path });
  }
  return inspectPkcs12(data, password, { ...opts, limits });
}

const INSPECT_HELP = `Usage: eiddesk p12 inspect FILE [--json] [--require-key]

Shows what a PKCS#12 (.p12/.pfx) file holds: the holder's certificate, identity number, validity,
purposes, chain and which key belongs to which certificate. Nothing is installed or changed.

The password (the PIN code from the PIN letter) is read from ${P12_PASSWORD_ENV} or asked for.

  --json         print one JSON document: {"ok":true,...} or {"ok":false,"error":{code,message}}
  --require-key  fail (no-private-key, no-certificate, key-mismatch) unless a key and its
                 certificate are both in the file

Exit codes: 0 ok, 1 error, 2 usage.`;

const HELP = `Usage: eiddesk p12 <subcommand> [options]

Subcommands:
  inspect FILE   show what a .p12/.pfx file holds
  import FILE    import it into the keystore and/or this computer's certificate store

Run 'eiddesk p12 <subcommand> --help' for its options.`;

async function runInspect(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    println(io.stdout, INSPECT_HELP);
    return Exit.OK;
  }
  const args = parseArgs(argv, { booleans: ['json', 'require-key'] });
  const json = has(args, 'json');
  if (args.positional.length !== 1) throw new UsageError(args.positional.length ? 'give exactly one FILE' : 'missing FILE');
  const [file] = args.positional;
  try {
    const password = await readSecret(io, P12_PASSWORD_ENV, `Password for ${file}: `);
    const report = await inspectFile(file, password);
    if (has(args, 'require-key')) requireKeyAndCertificate(report);
    if (json) printJson(io, { ok: true, ...report });
    else println(io.stdout, formatReport(file, report));
    return Exit.OK;
  } catch (err) {
    printError(io, err, json);
    return Exit.ERROR;
  }
}

const SUBCOMMANDS: Readonly<Record<string, (argv: string[], io: CliIo) => Promise<number>>> = {
  inspect: runInspect,
  // Keystore / OS-store import lives with the keystore CLI; loaded only when used.
  import: async (argv, io) => (await import('./keystore')).runP12Import(argv, io),
};

/** Entry point from main/cli.ts. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    println(sub ? io.stdout : io.stderr, HELP);
    return sub ? Exit.OK : Exit.USAGE;
  }
  const handler = SUBCOMMANDS[sub];
  if (!handler) throw new UsageError(`unknown subcommand '${sub}'`);
  return handler(rest, io);
}

const IDENTITY_KIND: Readonly<Record<string, string>> = {
  'hsa-id': 'HSA-id',
  'organisation-number': 'organisation number',
  'personal-number': 'personal identity number',
  other: 'identity number',
};

const CHAIN_TEXT: Readonly<Record<string, string>> = {
  trusted: 'trusted',
  'untrusted-root': 'ends at a root that is not trusted',
  incomplete: 'incomplete',
};

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** A readable summary for people at a terminal. */
export function formatReport(file: string, r: Pkcs12Report): string {
  const lines: string[] = [`File:          ${file}`];
  const row = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(15)}${value}`);
  const leaf = r.leaf;
  if (leaf) {
    row('Holder', leaf.subject.CN ?? leaf.subjectDn);
    if (leaf.subject.O) row('Organisation', leaf.subject.O);
    if (leaf.identity) row('Identity', `${leaf.identity.value} (${IDENTITY_KIND[leaf.identity.kind] ?? 'identity number'})`);
    row('Valid', `${day(leaf.notBefore)} to ${day(leaf.notAfter)} (${leaf.validity.replace(/-/g, ' ')})`);
    row('Purpose', leaf.purposes.join(', '));
    if (leaf.keyUsage.length) row('Key usage', leaf.keyUsage.join(', '));
    if (leaf.extendedKeyUsage.length) row('Extended use', leaf.extendedKeyUsage.join(', '));
    if (leaf.upn.length) row('UPN', leaf.upn.join(', '));
    if (leaf.emails.length) row('E-mail', leaf.emails.join(', '));
    if (leaf.assuranceLevel !== null) row('Assurance', `level ${leaf.assuranceLevel}`);
    row('Issuer', leaf.issuerDn);
    row('Serial', leaf.serialNumber);
  }
  if (r.chain) {
    row('Chain', `${CHAIN_TEXT[r.chain.status]}${r.chain.anchor ? ` (anchor ${r.chain.anchor})` : ''}`);
    r.chain.links.forEach((l, i) => lines.push(`${' '.repeat(15 + 2 * i)}${i ? '└ ' : ''}${l.subjectDn}${l.validity !== 'valid' ? ` [${l.validity}]` : ''}`));
    if (r.chain.problem) lines.push(`${' '.repeat(15)}${r.chain.problem}`);
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  row('Contents', `${plural(r.keys, 'private key')}, ${plural(r.certificates.length, 'certificate')}`);
  if (r.certificatesOnly) lines.push(`${' '.repeat(15)}Certificates only, no private key: an order made with a CSR? Pair it with the key made for the CSR: eiddesk keystore pair FILE.`);
  if (r.keyOnly) lines.push(`${' '.repeat(15)}A private key only, no certificate.`);
  if (r.keyMismatch) lines.push(`${' '.repeat(15)}Warning: a private key in the file matches none of its certificates.`);
  const p = r.protection;
  row('Protection', [p.macAlgorithm ? `MAC ${p.macAlgorithm}, ${p.macIterations?.toLocaleString('en-US')} iterations` : 'no MAC', ...p.encryption].join('; '));
  lines.push('', 'Certificates:');
  for (const c of r.certificates) {
    const tags = [c.hasKey ? 'has key' : '', c.isCA ? 'CA' : '', c.validity !== 'valid' ? c.validity : ''].filter(Boolean);
    lines.push(`  ${c.index + 1}. ${c.subjectDn}${tags.length ? ` [${tags.join(', ')}]` : ''}`);
    if (c.friendlyName !== undefined) lines.push(`     friendly name: ${c.friendlyName}`);
  }
  return lines.join('\n');
}
