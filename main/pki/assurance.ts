/**
 * Assurance level (tillitsnivå) of an e-ID.
 *
 * Inera recommends reading the level from the certificate policy OID for the SITHS e-id PKI, and
 * documents an issuer-name interpretation for older CAs. We do both: policy OIDs first, then the
 * issuing CA's name. Unknown certificates get null (shown as "unknown", never guessed).
 */

/** Policy OID -> level. The demo/test arc 1.3.6.1.4.1.55555.1.x mirrors SITHS for our fixtures. */
const POLICY_LEVELS: ReadonlyMap<string, number> = new Map([
  ['1.2.752.74.8.512', 3], // Mobilt SITHS, tillitsnivå 3 (Inera, 2021)
  ['1.3.6.1.4.1.55555.1.2', 2], // eID Desk demo/test CA: level 2
  ['1.3.6.1.4.1.55555.1.3', 3], // eID Desk demo/test CA: level 3
]);

/** Issuer common-name patterns from Inera's interpretation table. */
const ISSUER_LEVELS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^SITHS e-id Person (HSA-id|ID) 3 CA\b/i, 3],
  [/^SITHS e-id Person ID Mobile CA\b/i, 3],
  [/^SITHS e-id Person (HSA-id|ID) 2 CA\b/i, 2],
];

/** Returns the assurance level, or null when neither policy nor issuer says. */
export function assuranceLevel(policies: readonly string[], issuerCommonName: string): number | null {
  for (const p of policies) {
    const level = POLICY_LEVELS.get(p);
    if (level !== undefined) return level;
  }
  for (const [re, level] of ISSUER_LEVELS) if (re.test(issuerCommonName)) return level;
  return null;
}
