/**
 * PKCS#12 decoder (work in progress: the signature is final).
 */
import { EidError } from '../errors';
import { DEFAULT_LIMITS, type DecodeLimits, type Pkcs12Contents } from './types';

/**
 * Decodes a PKCS#12 file: checks limits, verifies the MAC, decrypts every bag.
 * Throws EidError: bad-password, malformed, unsupported, too-large, too-costly.
 */
export async function decodePkcs12(data: Buffer, password: string, limits: DecodeLimits = DEFAULT_LIMITS): Promise<Pkcs12Contents> {
  void password;
  if (data.length > limits.maxBytes) throw new EidError('too-large', 'The file is too large to be a PKCS#12 e-ID file.');
  throw new EidError('unsupported', 'PKCS#12 decoding is not implemented yet.');
}
