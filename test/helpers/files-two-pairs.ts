/**
 * A PKCS#12 holding two e-IDs (two key/certificate pairs tied by their local key ids) and their
 * shared root once, as a multi-e-ID export from an issuer's portal looks.
 */
import { buildP12 } from './p12-build';
import type { TestEid } from './keystore-certs';

/** Builds the file: keys shrouded with PBES2, certificates in an encrypted SafeContents, SHA-256 MAC. */
export function buildTwo(eids: readonly TestEid[], password: string): Buffer {
  const keys = eids.map((e, i) => ({ pkcs8: e.key.pkcs8, friendlyName: `e-ID ${i + 1}`, localKeyId: Buffer.from([0xa0, i + 1]) }));
  const certs = eids.map((e, i) => ({ der: e.leaf, friendlyName: `e-ID ${i + 1}`, localKeyId: Buffer.from([0xa0, i + 1]) }));
  const roots = new Map<string, Buffer>();
  for (const e of eids) for (const c of e.chain.slice(1)) roots.set(c.toString('hex'), c);
  return buildP12({ password, keys, certs: [...certs, ...[...roots.values()].map((der) => ({ der }))] });
}
