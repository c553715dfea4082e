/**
 * PKCS#12 variants for keystore import tests that the temp-file encoder does not make.
 */
import { createHmac, randomBytes } from 'node:crypto';
import * as der from '../../main/pki/der';
import { pkcs12Kdf } from '../../main/keystore/os-store/temp-p12';

/** A PFX with certificates only (what an order made with a CSR yields), SHA-256 MAC. */
export function encodeCertsOnly(chain: Buffer[], password: string): Buffer {
  const data = '1.2.840.113549.1.7.1';
  const ci = (content: Buffer) => der.sequence(der.oid(data), der.context(0, true, der.octetString(content)));
  const bags = chain.map((c) =>
    der.sequence(der.oid('1.2.840.113549.1.12.10.1.3'), der.context(0, true, der.sequence(der.oid('1.2.840.113549.1.9.22.1'), der.context(0, true, der.octetString(c))))),
  );
  const authSafe = der.sequence(ci(der.sequence(...bags)));
  const salt = randomBytes(16);
  const mac = createHmac('sha256', pkcs12Kdf(password, salt, 3, 2048, 32)).update(authSafe).digest();
  const macData = der.sequence(der.sequence(der.sequence(der.oid('2.16.840.1.101.3.4.2.1'), der.nul()), der.octetString(mac)), der.octetString(salt), der.integer(2048));
  return der.sequence(der.integer(3), ci(authSafe), macData);
}
