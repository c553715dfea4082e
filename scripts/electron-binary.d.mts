/** Finds the Electron binary if this machine has one (see electron-binary.mjs). */
export function findElectron(): { path?: string; reason?: string };
