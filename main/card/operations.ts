/**
 * Card operations for the PIN page, the test signature and enrolment: one method per operation,
 * each naming the token it acts on by its key (module path + slot + serial, see TokenView.key), so
 * with several cards in several readers nothing ever acts on "the current card" by accident.
 *
 * Every method looks the token up in a fresh snapshot (a card swapped in the same reader is a
 * different token and is refused), runs in one session that is always closed, and fails with an
 * EidError whose code the UI translates: pin-incorrect (with details.triesLeft when the card
 * tells), pin-locked, pin-len-range (details.min/max), puk-incorrect, puk-locked,
 * unblock-unsupported, token-removed, key-mismatch, already-exists, not-found...
 *
 * Secrets go in as arguments and nowhere else: no result, error, detail or log carries them.
 */
import { writeCertificate, type WriteCertificateRequest, type WriteCertificateResult } from './cert-write';
import { generateKey, type KeygenRequest, type KeygenResult } from './keygen';
import { deleteOrphans, listOrphans, type DeleteOrphansResult, type OrphanList } from './orphans';
import { changePin, readPinReport, unblockPin, type PinReport } from './pin';
import { profileFor, type ModuleProfile } from './profiles';
import { resolveToken, type OperationOptions, type TokenRef } from './session';
import type { CardService } from './service';
import type { CardSnapshot } from './types';
import { testSignature, type TestSignResult } from './sign';

export type { OperationOptions, OperationProgress, OperationStep } from './session';
export type { PinReport } from './pin';
export type { TestSignResult } from './sign';
export type { KeygenRequest, KeygenResult, KeyObjects } from './keygen';
export type { WriteCertificateRequest, WriteCertificateResult } from './cert-write';
export type { OrphanKey, OrphanList, DeleteOrphansResult } from './orphans';
export type { KeyAlgorithm } from './keys';
export { KEY_ALGORITHMS } from './keys';

/** Options for CardOperations. */
export interface CardOperationsOptions {
  /** Module profile lookup (tests force an unblock method; default: profiles.ts). */
  profileFor?: (modulePath: string) => ModuleProfile;
  /** How long a snapshot handed to observe() may stand in for a fresh scan (default 2000 ms). */
  snapshotMaxAgeMs?: number;
  now?: () => number;
}

/** The on-card engine of issue 4. */
export class CardOperations {
  private readonly profiles: (modulePath: string) => ModuleProfile;
  private readonly maxAge: number;
  private readonly now: () => number;
  private recent: { snap: CardSnapshot; at: number } | undefined;

  constructor(
    private readonly service: CardService,
    opts: CardOperationsOptions = {},
  ) {
    this.profiles = opts.profileFor ?? profileFor;
    this.maxAge = opts.snapshotMaxAgeMs ?? 2000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Hands over a snapshot just taken (the CLI's scan, each watcher tick), so the next operation
   * does not scan the card again to find its token. Each operation still checks the slot's
   * serial number first, so a card swapped in the meantime is refused, never acted on.
   */
  observe(snap: CardSnapshot): void {
    this.recent = { snap, at: this.now() };
  }

  /**
   * Resolves the token and runs one operation. A handed-over snapshot serves one operation only:
   * afterwards the card may have changed (a new e-ID, a new PIN state), so the next one scans.
   */
  private async on<T>(tokenKey: string, fn: (ref: TokenRef) => Promise<T>): Promise<T> {
    const recent = this.recent && this.now() - this.recent.at <= this.maxAge ? this.recent.snap : undefined;
    this.recent = undefined;
    return fn(await resolveToken(this.service, tokenKey, this.profiles, recent));
  }

  /** PIN and PUK state fresh from C_GetTokenInfo, and whether change and unblock are offered. */
  async pinStatus(tokenKey: string): Promise<PinReport> {
    return this.on(tokenKey, (ref) => readPinReport(ref));
  }

  /** Changes the user PIN (old PIN, new PIN; the caller has asked for the new one twice). */
  async changePin(tokenKey: string, req: { oldPin: string; newPin: string }, opts?: OperationOptions): Promise<PinReport> {
    return this.on(tokenKey, (ref) => changePin(ref, req, opts));
  }

  /** Unblocks the user PIN with the PUK (SO PIN on SoftHSM2), setting a new PIN. */
  async unblockPin(tokenKey: string, req: { puk: string; newPin: string }, opts?: OperationOptions): Promise<PinReport> {
    return this.on(tokenKey, (ref) => unblockPin(ref, req, opts));
  }

  /** Signs a random challenge with an e-ID's key and verifies it with its certificate. */
  async testSign(tokenKey: string, req: { pin: string; id?: string }, opts?: OperationOptions): Promise<TestSignResult> {
    return this.on(tokenKey, (ref) => testSignature(ref, req, opts));
  }

  /** Generates a key pair on the card and returns a CSR signed by it. */
  async generateKey(tokenKey: string, req: KeygenRequest, opts?: OperationOptions): Promise<KeygenResult> {
    return this.on(tokenKey, (ref) => generateKey(ref, req, opts));
  }

  /** Writes an issued certificate next to the key it belongs to ('key-mismatch' if none). */
  async writeCertificate(tokenKey: string, req: WriteCertificateRequest, opts?: OperationOptions): Promise<WriteCertificateResult> {
    return this.on(tokenKey, (ref) => writeCertificate(ref, req, opts));
  }

  /** Lists key pairs without a certificate. Give the PIN to see private keys (most cards hide them). */
  async listOrphans(tokenKey: string, req: { pin?: string } = {}, opts?: OperationOptions): Promise<OrphanList> {
    return this.on(tokenKey, (ref) => listOrphans(ref, req, opts));
  }

  /** Deletes the named orphan keys (all objects with each CKA_ID), refusing anything not an orphan. */
  async deleteOrphans(tokenKey: string, req: { pin: string; ids: readonly string[] }, opts?: OperationOptions): Promise<DeleteOrphansResult> {
    return this.on(tokenKey, (ref) => deleteOrphans(ref, req, opts));
  }
}
