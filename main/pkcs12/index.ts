/**
 * PKCS#12 (.p12/.pfx): decoding with native-speed crypto and safe limits.
 * Import from here, not from the files behind it.
 */
export type { DecodeLimits, Pkcs12Bag, Pkcs12Certificate, Pkcs12Contents, Pkcs12Key } from './types';
export { DEFAULT_LIMITS } from './types';
export { decodePkcs12 } from './decode';
