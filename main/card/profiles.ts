/**
 * Per-module behaviour that PKCS#11 leaves open.
 *
 * PKCS#11 has no standard for PUK unblock, and modules differ in whether they notice new tokens
 * without a re-initialisation. A small table keyed by the module's file name (or its
 * manufacturer) keeps those differences in one place. Unknown modules get the standard way.
 */

/** How a module unblocks a user PIN with the PUK / SO PIN. */
export type UnblockMethod =
  /** C_Login(CKU_SO, puk) then C_InitPIN(newPin): OpenSC, SoftHSM2 (SO PIN). */
  | 'so-login-init-pin'
  /** C_SetPIN(puk, newPin) in a public session, as some vendor modules implement unblock. */
  | 'set-pin-public-session'
  /** The module cannot unblock (the UI hides the action). */
  | 'none';

/** The behaviour of one family of modules. */
export interface ModuleProfile {
  id: string;
  /** Human name shown in settings and diagnostics. */
  name: string;
  /** Matches the module file name (lower case, without directories). */
  file: RegExp;
  /** The module only sees new or removed tokens after C_Finalize + C_Initialize. */
  rescanNeedsReinitialize: boolean;
  unblock: UnblockMethod;
  /** What the UI calls the unblock secret for this family. */
  pukName: 'PUK' | 'SO PIN';
}

/** Known module families. Order matters: first match wins. */
export const PROFILES: readonly ModuleProfile[] = [
  { id: 'softhsm2', name: 'SoftHSM2', file: /softhsm2?(-x64|-x86)?\.(so|dll|dylib)$/, rescanNeedsReinitialize: true, unblock: 'so-login-init-pin', pukName: 'SO PIN' },
  { id: 'opensc', name: 'OpenSC', file: /opensc-pkcs11\.(so|dll|dylib)$/, rescanNeedsReinitialize: false, unblock: 'so-login-init-pin', pukName: 'PUK' },
  { id: 'safenet', name: 'SafeNet / SITHS eID (eTPKCS11)', file: /etpkcs11\.(so|dll|dylib)$|libetoken/, rescanNeedsReinitialize: false, unblock: 'so-login-init-pin', pukName: 'PUK' },
  { id: 'netid', name: 'Net iD', file: /iidp11|netid|iid\.(so|dll|dylib)$/, rescanNeedsReinitialize: false, unblock: 'set-pin-public-session', pukName: 'PUK' },
];

/** The standard profile for modules we do not know. */
export const GENERIC_PROFILE: ModuleProfile = {
  id: 'generic',
  name: 'PKCS#11 module',
  file: /.*/,
  rescanNeedsReinitialize: false,
  unblock: 'so-login-init-pin',
  pukName: 'PUK',
};

/** Picks the profile for a module path. */
export function profileFor(modulePath: string): ModuleProfile {
  const file = modulePath.split(/[\\/]/).pop()?.toLowerCase() ?? '';
  return PROFILES.find((p) => p.file.test(file)) ?? GENERIC_PROFILE;
}
