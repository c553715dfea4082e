/**
 * The shapes the PKCS#12 decoder hands out. Shared by inspection, import and the wizard, so they
 * are plain data (Buffers and strings) with no behaviour and no reference to the file they came from.
 */

/** Attributes PKCS#12 producers attach to a bag; how keys and certificates are paired and named. */
export interface Pkcs12Bag {
  /** The bag's friendlyName attribute (a BMPString), decoded exactly: Å, Ä, Ö survive. */
  friendlyName?: string;
  /** The bag's localKeyId attribute as upper-case hex: producers set the same id on a key and its certificate. */
  localKeyId?: string;
}

/** One X.509 certificate from a certBag. */
export interface Pkcs12Certificate extends Pkcs12Bag {
  /** The certificate, DER encoded, exactly as stored in the file. */
  der: Buffer;
}

/**
 * One private key from a keyBag or pkcs8ShroudedKeyBag, decrypted.
 * The bytes are secret: keep them in memory only, never log or persist them unencrypted.
 */
export interface Pkcs12Key extends Pkcs12Bag {
  /** DER PrivateKeyInfo (PKCS#8), unencrypted. */
  pkcs8: Buffer;
}

/** Everything a PKCS#12 file holds that the product uses, plus how it was protected (for display and support). */
export interface Pkcs12Contents {
  certificates: Pkcs12Certificate[];
  keys: Pkcs12Key[];
  /** The integrity MAC's algorithm: 'hmac-sha256', 'pbmac1-hmac-sha256', ... or null when the file has no MAC. */
  macAlgorithm: string | null;
  /** The MAC's iteration count, or null when the file has no MAC. */
  macIterations: number | null;
  /**
   * Each distinct encryption scheme met in the file, e.g. 'pbes2-pbkdf2-hmac-sha256-aes-256-cbc',
   * 'pbe-sha1-3des', 'pbe-sha1-rc2-40'. Empty when nothing was encrypted.
   */
  encryption: string[];
}

/** Limits that make a hostile file fail fast instead of eating memory or CPU. */
export interface DecodeLimits {
  /** Largest file accepted, in bytes; checked before any parsing. */
  maxBytes: number;
  /** Largest iteration count accepted for any one key derivation; checked before any derivation runs. */
  maxIterations: number;
}

/**
 * Defaults, chosen from what real producers make:
 * - maxBytes 1 MiB: a personal or organisation e-ID file with its whole chain is 3-10 KiB; even a
 *   file with dozens of CA certificates stays under 100 KiB. A megabyte is ten times any honest
 *   file, yet small enough that parsing it costs nothing noticeable.
 * - maxIterations 10,000,000: OpenSSL uses 2,048, Windows 2,000, Java 10,000, NSS and GnuTLS 600,000,
 *   the most cautious producers up to 2,000,000. Five times that is still a few seconds of PBKDF2
 *   at worst; an attacker's 2^31-1 is refused before any derivation starts.
 */
export const DEFAULT_LIMITS: DecodeLimits = Object.freeze({ maxBytes: 1024 * 1024, maxIterations: 10_000_000 });
