/**
 * From the card snapshot to what the card page offers: physical cards (a SITHS card shows one
 * PKCS#11 token per PIN, "… (Legitimering)" and the signing PIN's token), and finding a token
 * again after the card was taken out and put back.
 */
import type { CardSnapshot } from '../../hooks/use-cards';
import type { TokenViewData } from '../my-eids/types';

/** One card in a reader, with its tokens (one per PIN). */
export interface PhysicalCard {
  /** Stable while the card is out: module path + serial number (a token key names a slot). */
  readonly id: string;
  readonly label: string;
  readonly serialNumber: string;
  readonly reader: string;
  readonly tokens: readonly TokenViewData[];
}

/** "Åsa Öberg (Legitimering)" and "Åsa Öberg (Underskrift)" -> "Åsa Öberg"; otherwise the first label. */
export function cardName(labels: readonly string[]): string {
  const bare = labels.map((l) => l.replace(/\s*\([^()]*\)\s*$/, '').trim());
  return bare.every((b) => b === bare[0]) && bare[0] ? bare[0] : labels[0] ?? '';
}

/**
 * Groups tokens into cards. Tokens of one module with the same non-empty serial number are the
 * PINs of one card (that is how card middleware shows a multi-PIN card); a token without a serial
 * number is a card of its own.
 */
export function groupCards(snapshot: CardSnapshot | null): PhysicalCard[] {
  const cards = new Map<string, { id: string; serialNumber: string; reader: string; tokens: TokenViewData[] }>();
  for (const m of snapshot?.modules ?? []) {
    for (const tok of m.tokens) {
      const serial = tok.serialNumber.trim();
      const id = serial ? `${m.path}#${serial}` : tok.key;
      const card = cards.get(id);
      if (card) card.tokens.push(tok);
      else cards.set(id, { id, serialNumber: serial, reader: tok.slotDescription, tokens: [tok] });
    }
  }
  return [...cards.values()].map((c) => ({ ...c, label: cardName(c.tokens.map((t) => t.label)) }));
}

/** What identifies a token across removal: its key, else the same serial number and label. */
export interface TokenRefLike {
  readonly key: string;
  readonly serialNumber: string;
  readonly label: string;
}

/**
 * The token in the current snapshot, or null while it is out. A card put back in another reader
 * gets another key (the key names the slot), so serial number and label find it there too.
 */
export function locateToken(snapshot: CardSnapshot | null, ref: TokenRefLike): TokenViewData | null {
  const all = snapshot?.modules.flatMap((m) => m.tokens) ?? [];
  return all.find((t) => t.key === ref.key) ?? all.find((t) => ref.serialNumber.trim() !== '' && t.serialNumber === ref.serialNumber && t.label === ref.label) ?? null;
}

/** e-IDs a test signature can use: a key may be there (unknown counts) and not a CA certificate. */
export function signableEids(token: TokenViewData): TokenViewData['eids'] {
  return token.eids.filter((e) => e.keyPresent !== false && !e.purposes.includes('ca'));
}

/**
 * The e-ID the test signature starts with: a valid signing e-ID (what users doubt before signing),
 * then a valid authentication e-ID, then any usable one (the same order as main's chooseTestEid).
 */
export function defaultTestEid(token: TokenViewData): TokenViewData['eids'][number] | undefined {
  const usable = signableEids(token);
  const valid = usable.filter((e) => e.validity === 'valid');
  return valid.find((e) => e.purposes.includes('signing')) ?? valid.find((e) => e.purposes.includes('authentication')) ?? valid[0] ?? usable[0];
}

/**
 * The e-ID a new key's CSR takes its subject from: a valid one that is not a CA, authentication
 * first, the one valid longest (the same choice as main's currentEid, so the dialog shows what the
 * CSR will say).
 */
export function currentEidOf(token: TokenViewData): TokenViewData['eids'][number] | undefined {
  const valid = token.eids.filter((e) => e.validity === 'valid' && !e.purposes.includes('ca'));
  const byEnd = (a: { notAfter: string }, b: { notAfter: string }) => b.notAfter.localeCompare(a.notAfter);
  return [...valid.filter((e) => e.purposes.includes('authentication'))].sort(byEnd)[0] ?? [...valid].sort(byEnd)[0];
}
