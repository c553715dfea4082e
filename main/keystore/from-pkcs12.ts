/**
 * From a decoded PKCS#12 file to what the keystore and the OS stores take: each private key
 * with its certificate and the chain the file carries for it.
 *
 * Shared by `eiddesk p12 import` and the import wizard so both store exactly the keys that were
 * shown to the user. Pairing is by public key (not by localKeyId, which some producers omit or
 * get wrong); the chain is built from the file's other certificates only, leaf first.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { EidError } from '../errors';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate';
import { buildChain } from '../pki/chain';
import type { Pkcs12Contents } from '../pkcs12/types';

/** One e-ID found in a file. `pkcs8` is the decoder's buffer: the caller wipes the contents. */
export interface EidInFile {
  pkcs8: Buffer;
  /** DER, leaf first, then its issuers as far as the file has them. */
  chain: Buffer[];
  leaf: ParsedCertificate;
  /** The friendly name from the file, if any (becomes the label). */
  friendlyName: string | undefined;
}

function spkiOfCert(c: ParsedCertificate): Buffer | null {
  try {
    return createPublicKey({ key: c.spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' });
  } catch {
    return null;
  }
}

/**
 * Every key in the file that has its certificate, end-entity certificates first. Keys without a
 * certificate are left out; the caller has already refused files with none at all
 * (requireKeyAndCertificate).
 */
export function eidsInPkcs12(contents: Pkcs12Contents, now = new Date()): EidInFile[] {
  const parsed: ParsedCertificate[] = contents.certificates.map((c, i) => {
    try {
      return parseCertificate(c.der);
    } catch (err) {
      throw new EidError('malformed', `Certificate ${i + 1} in the file is damaged and cannot be read.`, { certificate: i + 1 }, { cause: err });
    }
  });
  const spkis = parsed.map(spkiOfCert);
  const out: EidInFile[] = [];
  for (const key of contents.keys) {
    let spki: Buffer;
    try {
      spki = createPublicKey(createPrivateKey({ key: key.pkcs8, format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
    } catch {
      continue;
    }
    // Prefer an end-entity certificate when a CA certificate has the same key (re-issued CA files).
    const matches = spkis.map((s, i) => (s && s.equals(spki) ? i : -1)).filter((i) => i >= 0);
    const idx = matches.find((i) => !parsed[i].info.isCA) ?? matches[0];
    if (idx === undefined) continue;
    const leaf = parsed[idx];
    const report = buildChain(leaf, parsed.filter((_, i) => i !== idx), [], now);
    const byFp = new Map(parsed.map((p) => [p.info.fingerprintSha256, p.der] as const));
    const chain = report.links.filter((l) => l.source === 'file').map((l) => byFp.get(l.fingerprintSha256)).filter((d): d is Buffer => d !== undefined);
    out.push({ pkcs8: key.pkcs8, chain: chain.length ? chain : [leaf.der], leaf, friendlyName: contents.certificates[idx].friendlyName ?? key.friendlyName });
  }
  return out.sort((a, b) => Number(a.leaf.info.isCA) - Number(b.leaf.info.isCA));
}
