/**
 * A small, strict DER reader and writer.
 *
 * Why our own: the CLI must start in a few milliseconds (a full ASN.1 library costs ~0.1 s of
 * start-up), PKCS#12 files come from strangers and must be walked with hard bounds, and CSRs
 * built on a card need exact control over the bytes that get signed. Everything here works on
 * Buffers and never copies more than it must.
 */

/** Thrown for any structural problem in DER input; callers map it to their own error code. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Universal tag numbers used in this code base. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
} as const;

/**
 * One decoded TLV. `value` and `raw` are views into the original buffer, made on first use: a
 * certificate has dozens of nodes and most are only walked, so not allocating a Buffer per node
 * keeps parsing (and garbage collection) cheap when a token holds hundreds of certificates.
 */
export interface DerNode {
  readonly tag: number;
  readonly constructed: boolean;
  readonly value: Buffer;
  readonly raw: Buffer;
  /** Offsets into `buf`, present on nodes made by readTlv (they let children() avoid copies). */
  readonly buf?: Buffer;
  readonly start?: number;
  readonly valueStart?: number;
  readonly end?: number;
}

/** The DerNode readTlv makes: offsets plus lazily created views. */
export class LazyDerNode implements DerNode {
  private valueView: Buffer | undefined;
  constructor(
    /** The buffer the node lives in. */
    readonly buf: Buffer,
    /** Offset of the tag byte. */
    readonly start: number,
    /** Offset of the first value byte. */
    readonly valueStart: number,
    /** Offset just past the value. */
    readonly end: number,
  ) {}
  /** The tag byte. */
  get tag(): number {
    return this.buf[this.start];
  }
  /** Constructed (bit 6 of the tag byte set). */
  get constructed(): boolean {
    return (this.buf[this.start] & 0x20) !== 0;
  }
  /** The value bytes. */
  get value(): Buffer {
    return (this.valueView ??= this.buf.subarray(this.valueStart, this.end));
  }
  /** Tag, length and value. */
  get raw(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }
  /** Length of the value. */
  get length(): number {
    return this.end - this.valueStart;
  }
}

/** Maximum nesting depth accepted while walking hostile input. */
const MAX_DEPTH = 64;

/**
 * Reads a single TLV at `offset`, not beyond `limit`; the next TLV starts at the node's `end`.
 * Throws DerError on truncation or indefinite lengths.
 */
export function readTlv(buf: Buffer, offset = 0, limit = buf.length): LazyDerNode {
  if (offset + 2 > limit) throw new DerError('truncated: no room for tag and length');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let len = buf[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError('indefinite length is not DER');
    if (n > 4) throw new DerError('length too large');
    if (pos + n > limit) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i];
    pos += n;
  }
  const end = pos + len;
  if (end > limit) throw new DerError('truncated: value runs past the end');
  return new LazyDerNode(buf, offset, pos, end);
}

/** Decodes exactly one TLV that must fill the whole buffer. */
export function decode(buf: Buffer): DerNode {
  const node = readTlv(buf, 0);
  if (node.end !== buf.length) throw new DerError('trailing bytes after the outer element');
  return node;
}

/** Children of a constructed node. */
export function children(node: DerNode, depth = 0): DerNode[] {
  if (depth > MAX_DEPTH) throw new DerError('nesting too deep');
  if (!node.constructed) throw new DerError(`expected a constructed element, got tag 0x${node.tag.toString(16)}`);
  const out: DerNode[] = [];
  const buf = node.buf ?? node.value;
  const endAt = node.buf ? (node.end as number) : buf.length;
  let pos = node.buf ? (node.valueStart as number) : 0;
  while (pos < endAt) {
    const child = readTlv(buf, pos, endAt);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Asserts the tag of a node and returns it, for readable parsing code. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new DerError(`${what}: missing`);
  if (node.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`);
  return node;
}

/** Children of a SEQUENCE, checking the tag. */
export function seq(node: DerNode | undefined, what: string): DerNode[] {
  return children(expectTag(node, Tag.SEQUENCE, what));
}

/** Decodes an OBJECT IDENTIFIER value to dotted form. */
export function oidToString(value: Buffer, from = 0, to = value.length): string {
  if (to <= from) throw new DerError('empty OID');
  const parts: number[] = [];
  let acc = 0;
  for (let i = from; i < to; i++) {
    const b = value[i];
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large');
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = acc < 80 ? Math.floor(acc / 40) : 2;
        parts.push(first, acc - first * 40);
      } else {
        parts.push(acc);
      }
      acc = 0;
    }
  }
  if (value[to - 1] & 0x80) throw new DerError('OID ends mid-arc');
  return parts.join('.');
}

/** Reads an OID node. */
export function readOid(node: DerNode | undefined, what: string): string {
  const n = expectTag(node, Tag.OID, what);
  return n.buf ? oidToString(n.buf, n.valueStart, n.end) : oidToString(n.value);
}

/** Reads a non-negative INTEGER that fits in a JS number (iteration counts, versions). */
export function readSmallInt(node: DerNode | undefined, what: string): number {
  const v = expectTag(node, Tag.INTEGER, what).value;
  if (v.length === 0) throw new DerError(`${what}: empty integer`);
  if (v[0] & 0x80) throw new DerError(`${what}: negative integer`);
  if (v.length > 7) throw new DerError(`${what}: integer too large`);
  let n = 0;
  for (const b of v) n = n * 256 + b;
  if (!Number.isSafeInteger(n)) throw new DerError(`${what}: integer too large`);
  return n;
}

/** Decodes the string types that appear in names, returning proper Unicode (never mojibake). */
export function readString(node: DerNode): string {
  const { buf, valueStart, end } = node.buf ? (node as Required<DerNode>) : { buf: node.value, valueStart: 0, end: node.value.length };
  switch (node.tag) {
    case Tag.UTF8_STRING:
      return buf.toString('utf8', valueStart, end);
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
      return buf.toString('ascii', valueStart, end);
    case Tag.T61_STRING:
      // Teletex in practice carries Latin-1 in certificates made by old CAs.
      return buf.toString('latin1', valueStart, end);
    case Tag.BMP_STRING: {
      if (node.value.length % 2) throw new DerError('odd BMPString length');
      const swapped = Buffer.from(node.value);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case Tag.UNIVERSAL_STRING: {
      if (node.value.length % 4) throw new DerError('bad UniversalString length');
      let s = '';
      for (let i = 0; i < node.value.length; i += 4) s += String.fromCodePoint(node.value.readUInt32BE(i));
      return s;
    }
    default:
      throw new DerError(`not a string type: 0x${node.tag.toString(16)}`);
  }
}

/** Parses UTCTime / GeneralizedTime to a Date. */
export function readTime(node: DerNode): Date {
  const s = node.value.toString('ascii');
  let m: RegExpMatchArray | null;
  if (node.tag === Tag.UTC_TIME && (m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (node.tag === Tag.GENERALIZED_TIME && (m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new DerError(`bad time: ${s}`);
}

// ---------------------------------------------------------------------------------------------
// Writer

function encodeLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes one TLV. */
export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const value = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value]);
}

/** SEQUENCE of already-encoded elements. */
export const sequence = (...items: Buffer[]): Buffer => tlv(Tag.SEQUENCE, ...items);

/** SET OF, with members sorted as DER requires. */
export const setOf = (...items: Buffer[]): Buffer => tlv(Tag.SET, ...[...items].sort(Buffer.compare));

/** Encodes a dotted OID. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new DerError(`bad OID ${dotted}`);
    return Number(a);
  });
  if (arcs.length < 2) throw new DerError(`bad OID ${dotted}`);
  const out: number[] = [];
  const push = (n: number) => {
    const tmp: number[] = [n & 0x7f];
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) tmp.unshift((n & 0x7f) | 0x80);
    out.push(...tmp);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return tlv(Tag.OID, Buffer.from(out));
}

/** INTEGER from a non-negative number or an unsigned big-endian buffer. */
export function integer(v: number | Buffer): Buffer {
  let bytes: Buffer;
  if (typeof v === 'number') {
    const arr: number[] = [];
    for (let n = v; n > 0; n = Math.floor(n / 256)) arr.unshift(n & 0xff);
    bytes = Buffer.from(arr.length ? arr : [0]);
  } else {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    bytes = v.subarray(i);
    if (bytes.length === 0) bytes = Buffer.from([0]);
  }
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(Tag.INTEGER, bytes);
}

/** NULL. */
export const nul = (): Buffer => Buffer.from([Tag.NULL, 0]);
/** OCTET STRING. */
export const octetString = (b: Buffer): Buffer => tlv(Tag.OCTET_STRING, b);
/** BIT STRING with no unused bits. */
export const bitString = (b: Buffer): Buffer => tlv(Tag.BIT_STRING, Buffer.from([0]), b);
/** UTF8String. */
export const utf8String = (s: string): Buffer => tlv(Tag.UTF8_STRING, Buffer.from(s, 'utf8'));
/** PrintableString (caller ensures the character set). */
export const printableString = (s: string): Buffer => tlv(Tag.PRINTABLE_STRING, Buffer.from(s, 'ascii'));
/** BMPString (UTF-16BE), as PKCS#12 friendly names use. */
export function bmpString(s: string): Buffer {
  const b = Buffer.from(s, 'utf16le');
  b.swap16();
  return tlv(Tag.BMP_STRING, b);
}
/** Context-specific tag [n], constructed or primitive. */
export const context = (n: number, constructed: boolean, ...parts: Buffer[]): Buffer =>
  tlv(0x80 | (constructed ? 0x20 : 0) | n, ...parts);
