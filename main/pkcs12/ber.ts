/**
 * A bounded BER reader for PKCS#12.
 *
 * Why not main/pki/der.ts alone: real producers do not all write DER. NSS (pk12util, Firefox) and
 * some Java and Windows versions write indefinite lengths and constructed OCTET STRINGs, which a
 * strict DER reader rightly refuses. This reader accepts exactly those BER forms and nothing
 * looser, with hard bounds on nesting so a hostile file cannot make it recurse or loop without
 * end. Nodes have the same shape as der.DerNode, so der's helpers (oidToString, readString,
 * readSmallInt, expectTag) work on them. Structural problems throw der.DerError.
 */
import { DerError, type DerNode } from '../pki/der';

/** Nesting allowed in a PKCS#12 file: real files nest about 12 deep. */
const MAX_DEPTH = 40;

/** Reads one BER element at `offset`. Indefinite lengths are resolved by walking to the end-of-contents. */
export function readBer(buf: Buffer, offset = 0, depth = 0): { node: DerNode; next: number } {
  if (depth > MAX_DEPTH) throw new DerError('nesting too deep');
  if (offset + 2 > buf.length) throw new DerError('truncated: no room for tag and length');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  if (tag === 0) throw new DerError('unexpected end-of-contents marker');
  const constructed = (tag & 0x20) !== 0;
  let len = buf[offset + 1];
  let pos = offset + 2;
  if (len === 0x80) {
    if (!constructed) throw new DerError('indefinite length on a primitive element');
    let p = pos;
    for (;;) {
      if (p + 2 > buf.length) throw new DerError('truncated: missing end-of-contents');
      if (buf[p] === 0 && buf[p + 1] === 0) break;
      p = readBer(buf, p, depth + 1).next;
    }
    return { node: { tag, constructed, value: buf.subarray(pos, p), raw: buf.subarray(offset, p + 2) }, next: p + 2 };
  }
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n > 8 || pos + n > buf.length) throw new DerError('truncated or oversized length');
    len = 0;
    for (let i = 0; i < n; i++) {
      len = len * 256 + buf[pos + i];
      if (len > buf.length) throw new DerError('truncated: length runs past the end');
    }
    pos += n;
  }
  const end = pos + len;
  if (end > buf.length) throw new DerError('truncated: value runs past the end');
  return { node: { tag, constructed, value: buf.subarray(pos, end), raw: buf.subarray(offset, end) }, next: end };
}

/** Decodes one element that must fill the whole buffer (trailing zero padding is tolerated, as OpenSSL does). */
export function decodeBer(buf: Buffer): DerNode {
  const { node, next } = readBer(buf, 0);
  for (let i = next; i < buf.length; i++) if (buf[i] !== 0) throw new DerError('trailing bytes after the outer element');
  return node;
}

/** Children of a constructed element. */
export function berChildren(node: DerNode): DerNode[] {
  if (!node.constructed) throw new DerError(`expected a constructed element, got tag 0x${node.tag.toString(16)}`);
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < node.value.length) {
    const { node: child, next } = readBer(node.value, pos, 1);
    out.push(child);
    pos = next;
  }
  return out;
}

/** Children of a SEQUENCE, checking the tag. */
export function berSeq(node: DerNode | undefined, what: string): DerNode[] {
  if (!node) throw new DerError(`${what}: missing`);
  if (node.tag !== 0x30) throw new DerError(`${what}: expected a SEQUENCE, got tag 0x${node.tag.toString(16)}`);
  return berChildren(node);
}

/**
 * The bytes of an OCTET STRING, primitive or constructed (segments concatenated). `tag` lets callers
 * read [0] IMPLICIT OCTET STRINGs (0x80 / 0xa0) the same way.
 */
export function octets(node: DerNode | undefined, what: string, tag = 0x04, depth = 0): Buffer {
  if (!node) throw new DerError(`${what}: missing`);
  if (depth > 8) throw new DerError(`${what}: segments nested too deep`);
  if (node.tag === tag) return node.value;
  if (node.tag === (tag | 0x20)) return Buffer.concat(berChildren(node).map((c) => octets(c, what, 0x04, depth + 1)));
  throw new DerError(`${what}: expected an OCTET STRING, got tag 0x${node.tag.toString(16)}`);
}

/** The single child of an EXPLICIT context tag [n]. */
export function explicit(node: DerNode | undefined, n: number, what: string): DerNode {
  if (!node) throw new DerError(`${what}: missing`);
  if (node.tag !== (0xa0 | n)) throw new DerError(`${what}: expected [${n}], got tag 0x${node.tag.toString(16)}`);
  const inner = berChildren(node);
  if (inner.length !== 1) throw new DerError(`${what}: expected one element inside [${n}]`);
  return inner[0];
}

/** Whether `buf` is strict DER throughout (no indefinite lengths, no constructed strings) at the element level we care about. */
export function isDefiniteTree(node: DerNode, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (node.raw[1] === 0x80) return false;
  if (!node.constructed) return true;
  if (node.tag === 0x24) return false;
  return berChildren(node).every((c) => isDefiniteTree(c, depth + 1));
}

/**
 * Re-encodes a BER element as DER lengths: indefinite lengths become definite and constructed
 * OCTET STRINGs become primitive. Used for PrivateKeyInfo from producers that write BER, because
 * Node's key parser wants DER. Does not sort SETs (PrivateKeyInfo attributes are rarely present).
 */
export function toDefinite(node: DerNode, depth = 0): Buffer {
  if (depth > MAX_DEPTH) throw new DerError('nesting too deep');
  if (!node.constructed) return Buffer.from(node.raw);
  if (node.tag === 0x24) return encodeTlv(0x04, octets(node, 'octet string'));
  return encodeTlv(node.tag, Buffer.concat(berChildren(node).map((c) => toDefinite(c, depth + 1))));
}

function encodeTlv(tag: number, value: Buffer): Buffer {
  const len = value.length;
  let head: Buffer;
  if (len < 0x80) head = Buffer.from([tag, len]);
  else {
    const bytes: number[] = [];
    for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
    head = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([head, value]);
}
