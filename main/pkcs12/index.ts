/**
 * PKCS#12 (.p12/.pfx): decoding with native-speed crypto and safe limits.
 * Import from here, not from the files behind it.
 */
export type { DecodeLimits, Pkcs12Bag, Pkcs12Certificate, Pkcs12Contents, Pkcs12Key } from './types';
export { DEFAULT_LIMITS } from './types';
export { decodePkcs12 } from './decode';
export { describeCertificateFile, describePkcs12, inspectPkcs12, openPkcs12, requireKeyAndCertificate } from './inspect';
export type { InspectOptions, Pkcs12CertificateReport, Pkcs12KeyReport, Pkcs12Report } from './inspect';
