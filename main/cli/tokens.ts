/**
 * `eiddesk tokens [--json] [--module PATH]...`: what the card view shows, for scripts and support.
 * Exit codes: 0 ok, 2 usage, 3 a module failed to load (the message names it and why).
 */
import { CardService } from '../card/service';
import { resolveModules } from '../card/modules';
import type { CardSnapshot } from '../card/types';
import { Exit, has, parseArgs, printJson, println, type CliIo } from './io';

const HELP = `Usage: eiddesk tokens [--json] [--module PATH]...

Lists PKCS#11 modules, slots with a token, and the e-IDs on each token.
  --module PATH   load this module (repeatable); default: settings + auto-detected modules
  --json          machine-readable output`;

function human(io: CliIo, snap: CardSnapshot): void {
  const out = (s = '') => println(io.stdout, s);
  if (!snap.modules.length) out('No PKCS#11 modules found. Install your card middleware, or pass --module PATH.');
  for (const m of snap.modules) {
    if (m.status === 'error') {
      out(`Module ${m.path}: FAILED: ${m.error?.message ?? 'unknown error'}`);
      continue;
    }
    out(`Module ${m.path} (${m.name}; ${m.manufacturer ?? ''} ${m.description ?? ''} ${m.libraryVersion ?? ''})`.replace(/\s+\)/, ')'));
    if (!m.tokens.length) out(`  no token with e-IDs (${m.slotCount} slot(s)): insert the card, check the reader`);
    for (const t of m.tokens) {
      const pin = t.pin.locked ? 'PIN BLOCKED' : t.pin.finalTry ? 'PIN: final try' : t.pin.countLow ? 'PIN: tries low' : 'PIN: ok';
      out(`  Token "${t.label}"${t.demo ? ' (demo card)' : ''}  slot 0x${t.slotId}  ${t.manufacturer} ${t.model}  serial ${t.serialNumber}  ${pin}`);
      if (!t.eids.length) out('    no certificates on this token');
      for (const e of t.eids) {
        out(`    e-ID ${e.id || '-'} "${e.label}": ${e.holder}${e.organisation ? `, ${e.organisation}` : ''}`);
        out(`      purpose ${e.purposes.join(', ')}; valid ${e.notBefore.slice(0, 10)} to ${e.notAfter.slice(0, 10)}${e.validity === 'valid' ? '' : ` (${e.validity})`}; assurance level ${e.assuranceLevel ?? 'unknown'}`);
        const id = e.identity ? `${e.identity.kind === 'hsa-id' ? 'HSA-id' : e.identity.kind}: ${e.identity.value}` : 'no identity number';
        const sign = e.signingCertificate ? `; signing certificate: ${e.signingCertificate}` : '';
        out(`      ${id}${e.upn.length ? `; UPN ${e.upn.join(', ')}` : ''}${e.emails.length ? `; e-mail ${e.emails.join(', ')}` : ''}${sign}`);
      }
    }
  }
}

/** Runs the command. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json', 'help'], values: ['module'] });
  if (has(args, 'help')) {
    println(io.stdout, HELP);
    return Exit.OK;
  }
  if (args.positional.length) {
    println(io.stderr, `eiddesk tokens: unexpected argument '${args.positional[0]}'\n\n${HELP}`);
    return Exit.USAGE;
  }
  const explicit = args.flags.get('module') ?? [];
  let modules;
  if (explicit.length) {
    modules = () => resolveModules({ configured: explicit, autoDetect: false });
  } else {
    // Settings (and zod) only when the user relies on them: keeps `--module` runs lean.
    const { createServices } = await import('../services');
    const s = createServices({ host: 'cli' }).settings.get();
    modules = () => resolveModules({ configured: s.pkcs11Modules, autoDetect: s.autoDetectModules });
  }
  const service = new CardService({ modules });
  try {
    const snap = await service.snapshot();
    if (has(args, 'json')) printJson(io, { ok: true, ...snap });
    else human(io, snap);
    const failed = snap.modules.filter((m) => m.status === 'error');
    for (const f of failed) if (has(args, 'json')) println(io.stderr, `eiddesk: ${f.error?.message}`);
    return failed.length ? Exit.MODULE_LOAD : Exit.OK;
  } finally {
    service.close();
  }
}
