/**
 * The inner loop of the PKCS#12 key derivation (RFC 7292 appendix B): a digest hashed again and
 * again, hundreds of thousands of times.
 *
 * Node has no native call for an iterated hash, and `crypto.hash` costs about 1 µs per call in
 * call overhead alone (600,000 calls = 0.6 s). So the loop is ours, in two forms:
 * - WebAssembly generated at run time (createWasmIterators): every round unrolled, all state in
 *   locals, native rotates (i64 ones for SHA-384/512). V8 compiles it to machine code at once
 *   (Liftoff, then TurboFan within milliseconds), about 0.16-0.27 µs per SHA-256 hash and
 *   0.4 µs per SHA-512 hash, with no interpreter warm-up: the 600,000-iteration MAC of an NSS
 *   file takes 0.1-0.17 s, a SHA-512 one (GnuTLS `--hash SHA512`) 0.25 s instead of the 2.4 s
 *   of one native call per iteration. Generating the bytes here avoids shipping a binary blob
 *   and keeps the code reviewable.
 * - Plain JavaScript loops (sha256Iterate, sha1Iterate), about 0.35 µs per hash, for runtimes
 *   where WebAssembly is disabled.
 *
 * Every function here is self-contained (no imports, no outer variables) because kdf-pool.ts
 * ships their source text to worker threads.
 */
/* eslint-disable @typescript-eslint/no-unused-expressions -- the emitter writes one WebAssembly instruction per comma-separated call, so a line reads like the instruction stream it emits. */

/** Iterators over a digest held as big-endian 32-bit words (updated in place). */
export interface DigestIterators {
  sha1(h: Int32Array, count: number): void;
  sha256(h: Int32Array, count: number, words: number): void;
  /** SHA-512 (`words` = 16) or SHA-384 (12): the digest as big-endian 32-bit words, high word first. */
  sha512(h: Int32Array, count: number, words: number): void;
}

/**
 * Builds WebAssembly iterators for SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512, or returns null
 * where WebAssembly is unavailable. Each module is generated and compiled on its first use (a
 * file needs one or two of them; generating one costs a few milliseconds of cold JavaScript).
 * Self-contained: its source text runs in worker threads too.
 */
export function createWasmIterators(): DigestIterators | null {
  if (typeof WebAssembly !== 'object') return null;
  type Kind = 's256' | 's224' | 's1' | 's512' | 's384';
  // A byte writer over one growing buffer: no temporary arrays, so no garbage to collect.
  let buf = new Uint8Array(16384);
  let pos = 0;
  const b = (x: number) => {
    if (pos === buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    buf[pos++] = x;
  };
  const u = (v: number) => {
    let n = v >>> 0;
    do {
      const byte = n & 0x7f;
      n >>>= 7;
      b(n ? byte | 0x80 : byte);
    } while (n);
  };
  const s = (v: number) => {
    let n = v | 0;
    for (;;) {
      const byte = n & 0x7f;
      n >>= 7;
      if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return b(byte);
      b(byte | 0x80);
    }
  };
  // Opcodes (WebAssembly core specification 1.0).
  const ADD = 0x6a;
  const SUB = 0x6b;
  const AND = 0x71;
  const OR = 0x72;
  const XOR = 0x73;
  const SHRU = 0x76;
  const ROTL = 0x77;
  const ROTR = 0x78;
  const get = (l: number) => (b(0x20), u(l));
  const set = (l: number) => (b(0x21), u(l));
  const i32 = (v: number) => (b(0x41), s(v));
  const rot = (l: number, n: number, op: number) => (get(l), i32(n), b(op));
  // 64-bit forms for SHA-384/512: i64 opcodes, and i64.const with a signed LEB128 of a BigInt.
  const ADD64 = 0x7c;
  const AND64 = 0x83;
  const OR64 = 0x84;
  const XOR64 = 0x85;
  const SHRU64 = 0x88;
  const ROTR64 = 0x8a;
  const i64 = (v: bigint) => {
    b(0x42);
    let n = BigInt.asIntN(64, v);
    for (;;) {
      const byte = Number(n & BigInt(0x7f));
      n >>= BigInt(7);
      if ((n === BigInt(0) && !(byte & 0x40)) || (n === BigInt(-1) && byte & 0x40)) return b(byte);
      b(byte | 0x80);
    }
  };
  const rot64 = (l: number, n: number, op: number) => (get(l), i64(BigInt(n)), b(op));

  const K256 = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];
  const IV: Readonly<Record<string, number[]>> = {
    s256: [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19],
    s224: [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4],
    s1: [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0],
  };
  // SHA-384/512 (FIPS 180-4): 80 round constants and the two initial states, 16 hex digits each.
  const hex64 = (s: string) => Array.from({ length: s.length / 16 }, (_, i) => BigInt(`0x${s.slice(16 * i, 16 * i + 16)}`));
  const K512 = hex64(
    '428a2f98d728ae227137449123ef65cdb5c0fbcfec4d3b2fe9b5dba58189dbbc3956c25bf348b53859f111f1b605d019923f82a4af194f9bab1c5ed5da6d8118' +
    'd807aa98a303024212835b0145706fbe243185be4ee4b28c550c7dc3d5ffb4e272be5d74f27b896f80deb1fe3b1696b19bdc06a725c71235c19bf174cf692694' +
    'e49b69c19ef14ad2efbe4786384f25e30fc19dc68b8cd5b5240ca1cc77ac9c652de92c6f592b02754a7484aa6ea6e4835cb0a9dcbd41fbd476f988da831153b5' +
    '983e5152ee66dfaba831c66d2db43210b00327c898fb213fbf597fc7beef0ee4c6e00bf33da88fc2d5a79147930aa72506ca6351e003826f142929670a0e6e70' +
    '27b70a8546d22ffc2e1b21385c26c9264d2c6dfc5ac42aed53380d139d95b3df650a73548baf63de766a0abb3c77b2a881c2c92e47edaee692722c851482353b' +
    'a2bfe8a14cf10364a81a664bbc423001c24b8b70d0f89791c76c51a30654be30d192e819d6ef5218d69906245565a910f40e35855771202a106aa07032bbd1b8' +
    '19a4c116b8d2d0c81e376c085141ab532748774cdf8eeb9934b0bcb5e19b48a8391c0cb3c5c95a634ed8aa4ae3418acb5b9cca4f7763e373682e6ff3d6b2b8a3' +
    '748f82ee5defb2fc78a5636f43172f6084c87814a1f0ab728cc702081a6439ec90befffa23631e28a4506cebde82bde9bef9a3f7b2c67915c67178f2e372532b' +
    'ca273eceea26619cd186b8c721c0c207eada7dd6cde0eb1ef57d4f7fee6ed17806f067aa72176fba0a637dc5a2c898a6113f9804bef90dae1b710b35131c471b' +
    '28db77f523047d8432caab7b40c724933c9ebe0a15c9bebc431d67c49c100d4c4cc5d4becb3e42b6597f299cfc657e2a5fcb6fab3ad6faec6c44198c4a475817',
  );
  const IV64: Readonly<Record<'s512' | 's384', string>> = {
    s512: '6a09e667f3bcc908bb67ae8584caa73b3c6ef372fe94f82ba54ff53a5f1d36f1510e527fade682d19b05688c2b3e6c1f1f83d9abfb41bd6b5be0cd19137e2179',
    s384: 'cbbb9d5dc1059ed8629a292a367cd5079159015a3070dd17152fecd8f70e593967332667ffc00b318eb44a8768581511db0c2e0d64f98fa747b5481dbefa4fa4',
  };

  /**
   * Writes the body of `iterate(n)`: hashes the digest at memory offset 0 (little-endian i32
   * words) n times. Locals: 0 = n, then the digest, 16 schedule words, the working variables,
   * two temporaries. Working variables rotate by renaming per round, never by copying.
   */
  const writeBody = (kind: 's256' | 's224' | 's1') => {
    const iv = IV[kind];
    const words = kind === 's256' ? 8 : kind === 's224' ? 7 : 5;
    const nv = iv.length;
    const H = (k: number) => 1 + k;
    const W = (k: number) => 1 + words + k;
    const V = (k: number) => 1 + words + 16 + k;
    const T1 = 1 + words + 16 + nv;
    const T2 = T1 + 1;
    b(1), u(words + 16 + nv + 2), b(0x7f); // locals: that many i32
    for (let k = 0; k < words; k++) i32(0), b(0x28), b(2), u(4 * k), set(H(k));
    b(0x02), b(0x40), b(0x03), b(0x40); // block { loop {
    get(0), b(0x45), b(0x0d), b(1); // if (n == 0) break
    for (let i = 0; i < 16; i++) {
      if (i < words) get(H(i));
      else i32(i === words ? 0x80000000 : i === 15 ? words * 32 : 0);
      set(W(i));
    }
    for (let k = 0; k < nv; k++) i32(iv[k]), set(V(k));
    if (kind === 's1') {
      for (let i = 0; i < 80; i++) {
        const r = (k: number) => V((((k - i) % 5) + 5) % 5);
        const [A, B, C, D, E] = [r(0), r(1), r(2), r(3), r(4)];
        const w = W(i % 16);
        if (i >= 16) {
          get(W((i - 3) % 16)), get(W((i - 8) % 16)), b(XOR), get(W((i - 14) % 16)), b(XOR), get(w), b(XOR);
          i32(1), b(ROTL), set(w);
        }
        rot(A, 5, ROTL);
        if (i < 20) get(D), get(B), get(C), get(D), b(XOR), b(AND), b(XOR); // d ^ (b & (c ^ d))
        else if (i < 40 || i >= 60) get(B), get(C), b(XOR), get(D), b(XOR);
        else get(B), get(C), b(AND), get(D), get(B), get(C), b(OR), b(AND), b(OR);
        b(ADD), get(E), b(ADD);
        i32(i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6), b(ADD);
        get(w), b(ADD), set(E); // the new a lands in e's slot
        rot(B, 30, ROTL), set(B);
      }
    } else {
      for (let i = 0; i < 64; i++) {
        const r = (k: number) => V((((k - i) % 8) + 8) % 8);
        const [A, B, C, D, E, F, G, Hh] = [r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7)];
        const w = W(i % 16);
        if (i >= 16) {
          const x = W((i - 15) % 16);
          const y = W((i - 2) % 16);
          get(w);
          rot(x, 7, ROTR), rot(x, 18, ROTR), b(XOR), rot(x, 3, SHRU), b(XOR), b(ADD);
          get(W((i - 7) % 16)), b(ADD);
          rot(y, 17, ROTR), rot(y, 19, ROTR), b(XOR), rot(y, 10, SHRU), b(XOR), b(ADD);
          set(w);
        }
        get(Hh);
        rot(E, 6, ROTR), rot(E, 11, ROTR), b(XOR), rot(E, 25, ROTR), b(XOR), b(ADD);
        get(G), get(E), get(F), get(G), b(XOR), b(AND), b(XOR), b(ADD); // ch = g ^ (e & (f ^ g))
        i32(K256[i]), b(ADD), get(w), b(ADD), set(T1);
        rot(A, 2, ROTR), rot(A, 13, ROTR), b(XOR), rot(A, 22, ROTR), b(XOR);
        get(A), get(B), b(AND), get(C), get(A), get(B), b(OR), b(AND), b(OR), b(ADD), set(T2); // + maj
        get(D), get(T1), b(ADD), set(D);
        get(T1), get(T2), b(ADD), set(Hh);
      }
    }
    // After 64 (SHA-256) or 80 (SHA-1) rounds the renaming has come full circle.
    for (let k = 0; k < words; k++) i32(iv[k]), get(V(k)), b(ADD), set(H(k));
    get(0), i32(1), b(SUB), set(0); // n -= 1
    b(0x0c), b(0), b(0x0b), b(0x0b); // continue } }
    for (let k = 0; k < words; k++) i32(0), get(H(k)), b(0x36), b(2), u(4 * k);
    b(0x0b);
  };

  /**
   * The 64-bit twin of writeBody for SHA-512 and SHA-384: the digest as little-endian i64 words at
   * offset 0, i64 locals (the digest, 16 schedule words, the working variables, two temporaries),
   * 80 rounds with the same renaming.
   */
  const writeBody64 = (kind: 's512' | 's384') => {
    const iv = hex64(IV64[kind]);
    const words = kind === 's512' ? 8 : 6;
    const H = (k: number) => 1 + k;
    const W = (k: number) => 1 + words + k;
    const V = (k: number) => 1 + words + 16 + k;
    const T1 = 1 + words + 16 + 8;
    const T2 = T1 + 1;
    b(1), u(words + 16 + 8 + 2), b(0x7e); // locals: that many i64
    for (let k = 0; k < words; k++) i32(0), b(0x29), b(3), u(8 * k), set(H(k));
    b(0x02), b(0x40), b(0x03), b(0x40); // block { loop {
    get(0), b(0x45), b(0x0d), b(1); // if (n == 0) break
    for (let i = 0; i < 16; i++) {
      if (i < words) get(H(i));
      else i64(i === words ? BigInt('0x8000000000000000') : i === 15 ? BigInt(words * 64) : BigInt(0));
      set(W(i));
    }
    for (let k = 0; k < 8; k++) i64(iv[k]), set(V(k));
    for (let i = 0; i < 80; i++) {
      const r = (k: number) => V((((k - i) % 8) + 8) % 8);
      const [A, B, C, D, E, F, G, Hh] = [r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7)];
      const w = W(i % 16);
      if (i >= 16) {
        const x = W((i - 15) % 16);
        const y = W((i - 2) % 16);
        get(w);
        rot64(x, 1, ROTR64), rot64(x, 8, ROTR64), b(XOR64), rot64(x, 7, SHRU64), b(XOR64), b(ADD64);
        get(W((i - 7) % 16)), b(ADD64);
        rot64(y, 19, ROTR64), rot64(y, 61, ROTR64), b(XOR64), rot64(y, 6, SHRU64), b(XOR64), b(ADD64);
        set(w);
      }
      get(Hh);
      rot64(E, 14, ROTR64), rot64(E, 18, ROTR64), b(XOR64), rot64(E, 41, ROTR64), b(XOR64), b(ADD64);
      get(G), get(E), get(F), get(G), b(XOR64), b(AND64), b(XOR64), b(ADD64); // ch = g ^ (e & (f ^ g))
      i64(K512[i]), b(ADD64), get(w), b(ADD64), set(T1);
      rot64(A, 28, ROTR64), rot64(A, 34, ROTR64), b(XOR64), rot64(A, 39, ROTR64), b(XOR64);
      get(A), get(B), b(AND64), get(C), get(A), get(B), b(OR64), b(AND64), b(OR64), b(ADD64), set(T2); // + maj
      get(D), get(T1), b(ADD64), set(D);
      get(T1), get(T2), b(ADD64), set(Hh);
    }
    for (let k = 0; k < words; k++) i64(iv[k]), get(V(k)), b(ADD64), set(H(k));
    get(0), i32(1), b(SUB), set(0); // n -= 1 (n is the i32 parameter)
    b(0x0c), b(0), b(0x0b), b(0x0b); // continue } }
    for (let k = 0; k < words; k++) i32(0), get(H(k)), b(0x37), b(3), u(8 * k);
    b(0x0b);
  };

  /** Compiles a module exporting `f(n)` and `m` (its memory) for one hash. */
  const compile = (kind: Kind) => {
    pos = 0;
    if (kind === 's512' || kind === 's384') writeBody64(kind);
    else writeBody(kind);
    const fn = buf.slice(0, pos);
    pos = 0;
    const head = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    head.forEach(b);
    for (const x of [1, 5, 1, 0x60, 1, 0x7f, 0]) b(x); // type section: (i32) -> ()
    for (const x of [3, 2, 1, 0]) b(x); // function section: one function of type 0
    for (const x of [5, 3, 1, 0, 1]) b(x); // memory section: one page
    for (const x of [7, 9, 2, 1, 0x66, 0, 0, 1, 0x6d, 2, 0]) b(x); // exports: "f" func 0, "m" memory 0
    const codeLen = fn.length;
    let lenBytes = 0;
    for (let n = codeLen; ; lenBytes++) {
      n >>>= 7;
      if (!n) break;
    }
    b(10), u(1 + lenBytes + 1 + codeLen), b(1), u(codeLen);
    const out = new Uint8Array(pos + codeLen);
    out.set(buf.subarray(0, pos));
    out.set(fn, pos);
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(out), {});
    return { f: exports.f as (n: number) => void, m: new Int32Array((exports.m as WebAssembly.Memory).buffer, 0, 16) };
  };

  const cache: Partial<Record<Kind, ReturnType<typeof compile>>> = {};
  const run = (kind: Kind, h: Int32Array, count: number, words: number) => {
    const mod = (cache[kind] ??= compile(kind));
    // 64-bit words sit in memory little-endian: low half first, the reverse of `h`'s order.
    const swap = kind === 's512' || kind === 's384' ? 1 : 0;
    for (let k = 0; k < words; k++) mod.m[k ^ swap] = h[k];
    // Slices, so calls after V8's background tier-up run the optimised code.
    for (let left = count; left > 0; left -= 512) mod.f(left < 512 ? left : 512);
    for (let k = 0; k < words; k++) h[k] = mod.m[k ^ swap];
  };
  try {
    // Proves WebAssembly can compile here (it may be disabled) with the smallest valid module;
    // the hash modules themselves are built when first used.
    new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  } catch {
    return null;
  }
  return {
    sha1: (h, count) => run('s1', h, count, 5),
    sha256: (h, count, words) => run(words === 8 ? 's256' : 's224', h, count, words),
    sha512: (h, count, words) => run(words === 16 ? 's512' : 's384', h, count, words),
  };
}

/**
 * Hashes a SHA-256 (or SHA-224, `words` = 7) digest `count` more times. `h` holds the digest as
 * big-endian 32-bit words and is updated in place.
 */
export function sha256Iterate(h: Int32Array, count: number, words: number): void {
  const K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const IV =
    words === 8
      ? new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])
      : new Int32Array([0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4]);
  const W = new Int32Array(64);
  // Run in slices so V8 optimises the slice function between calls instead of relying on
  // on-stack replacement of one enormous loop (measured: OSR alone can leave it 2.5x slower).
  const slice = (n: number): void => {
    for (let it = 0; it < n; it++) {
      for (let i = 0; i < 16; i++) W[i] = 0;
      for (let i = 0; i < words; i++) W[i] = h[i];
      W[words] = 0x80000000 | 0;
      W[15] = words * 32;
      for (let i = 16; i < 64; i++) {
        const w15 = W[i - 15];
        const w2 = W[i - 2];
        W[i] =
          (W[i - 16] +
            (((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)) +
            W[i - 7] +
            (((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10))) |
          0;
      }
      let a = IV[0];
      let b = IV[1];
      let c = IV[2];
      let d = IV[3];
      let e = IV[4];
      let f = IV[5];
      let g = IV[6];
      let hh = IV[7];
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
        const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      h[0] = (IV[0] + a) | 0;
      h[1] = (IV[1] + b) | 0;
      h[2] = (IV[2] + c) | 0;
      h[3] = (IV[3] + d) | 0;
      h[4] = (IV[4] + e) | 0;
      h[5] = (IV[5] + f) | 0;
      h[6] = (IV[6] + g) | 0;
      h[7] = (IV[7] + hh) | 0;
    }
  };
  for (let left = count; left > 0; left -= 2048) slice(left < 2048 ? left : 2048);
}

/** Hashes a SHA-1 digest (5 big-endian words in `h`, updated in place) `count` more times. */
export function sha1Iterate(h: Int32Array, count: number): void {
  const W = new Int32Array(80);
  const slice = (n: number): void => {
    for (let it = 0; it < n; it++) {
      W[0] = h[0];
      W[1] = h[1];
      W[2] = h[2];
      W[3] = h[3];
      W[4] = h[4];
      W[5] = 0x80000000 | 0;
      for (let i = 6; i < 15; i++) W[i] = 0;
      W[15] = 160;
      for (let i = 16; i < 80; i++) {
        const x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16];
        W[i] = (x << 1) | (x >>> 31);
      }
      let a = 0x67452301 | 0;
      let b = 0xefcdab89 | 0;
      let c = 0x98badcfe | 0;
      let d = 0x10325476 | 0;
      let e = 0xc3d2e1f0 | 0;
      for (let i = 0; i < 80; i++) {
        let f: number;
        let k: number;
        if (i < 20) {
          f = (b & c) | (~b & d);
          k = 0x5a827999;
        } else if (i < 40) {
          f = b ^ c ^ d;
          k = 0x6ed9eba1;
        } else if (i < 60) {
          f = (b & c) | (b & d) | (c & d);
          k = 0x8f1bbcdc | 0;
        } else {
          f = b ^ c ^ d;
          k = 0xca62c1d6 | 0;
        }
        const t = (((a << 5) | (a >>> 27)) + f + e + k + W[i]) | 0;
        e = d;
        d = c;
        c = (b << 30) | (b >>> 2);
        b = a;
        a = t;
      }
      h[0] = (0x67452301 + a) | 0;
      h[1] = (0xefcdab89 + b) | 0;
      h[2] = (0x98badcfe + c) | 0;
      h[3] = (0x10325476 + d) | 0;
      h[4] = (0xc3d2e1f0 + e) | 0;
    }
  };
  for (let left = count; left > 0; left -= 2048) slice(left < 2048 ? left : 2048);
}
