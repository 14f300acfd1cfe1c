import { string, u8, u32, u64 } from './ssh-wire.js';

/**
 * OpenSSH's KRL format (PROTOCOL.krl), for certificates revoked by serial under one CA.
 *
 * Why not `ssh-keygen -k`: OpenSSH 9.2's writer picks a bitmap for dense serials whatever its
 * span, but its reader (ssh-keygen -Q and sshd alike) refuses a bitmap over 16,384 bits
 * ("bignum is too large"). Revoked serials are dense (every grant is revoked when it ends; the
 * live ones are the holes), so past ~16k serials ssh-keygen writes a KRL that sshd cannot read,
 * and sshd then refuses every key. This writer never makes a bitmap longer than that.
 */
const KRL_MAGIC = Buffer.from('SSHKRL\n\0', 'latin1');
const KRL_FORMAT_VERSION = 1;
const SECTION_CERTIFICATES = 1;
const CERT_SERIAL_LIST = 0x20;
const CERT_SERIAL_RANGE = 0x21;
const CERT_SERIAL_BITMAP = 0x22;
/** The reader's limit (SSHBUF_MAX_BIGNUM, 2,048 bytes): a bitmap covers at most this many serials. */
export const KRL_MAX_BITMAP_BITS = 16_384;
/** A contiguous run this long is cheaper as a range (16 bytes) than inside a bitmap. */
const RANGE_MIN_RUN = 256n;

export interface KrlContent {
  /** The CA's public key blob (the base64 part of ca.pub, decoded): serials are revoked under it. */
  readonly caKeyBlob: Buffer;
  readonly serials: readonly bigint[];
  /** Increases with each KRL written (`krl_version`). */
  readonly version: bigint;
  readonly generatedAtSeconds: bigint;
}

export function encodeKrl(content: KrlContent): Buffer {
  // A typed array sorts numerically without a comparator: the cost of a write is mostly this sort.
  const serials = [...BigUint64Array.from(new Set(content.serials)).sort()].filter((serial) => serial > 0n);
  const parts = [
    KRL_MAGIC,
    u32(KRL_FORMAT_VERSION),
    u64(content.version),
    u64(content.generatedAtSeconds),
    u64(0n),
    string(),
    string(),
  ];
  if (serials.length > 0) {
    const body = Buffer.concat([string(content.caKeyBlob), string(), ...subsections(serials)]);
    parts.push(u8(SECTION_CERTIFICATES), string(body));
  }
  return Buffer.concat(parts);
}

/** Long runs become ranges; the rest is cut into windows of at most 16,384 serials, each a list or a bitmap, whichever is smaller. */
function subsections(sorted: readonly bigint[]): Buffer[] {
  const out: Buffer[] = [];
  let window: bigint[] = [];
  const flush = () => {
    if (window.length > 0) out.push(windowSubsection(window));
    window = [];
  };
  for (const run of runs(sorted)) {
    if (run.hi - run.lo + 1n >= RANGE_MIN_RUN) {
      out.push(subsection(CERT_SERIAL_RANGE, Buffer.concat([u64(run.lo), u64(run.hi)])));
      continue;
    }
    if (window.length > 0 && run.hi - window[0]! + 1n > BigInt(KRL_MAX_BITMAP_BITS)) flush();
    for (let serial = run.lo; serial <= run.hi; serial++) window.push(serial);
  }
  flush();
  return out;
}

function windowSubsection(serials: readonly bigint[]): Buffer {
  const lo = serials[0]!;
  const span = Number(serials.at(-1)! - lo) + 1;
  const bitmapBytes = 8 + 4 + Math.ceil(span / 8) + 1;
  if (serials.length * 8 <= bitmapBytes) {
    const list = Buffer.alloc(serials.length * 8);
    serials.forEach((serial, i) => list.writeBigUInt64BE(serial, i * 8));
    return subsection(CERT_SERIAL_LIST, list);
  }
  // Bit k stands for serial lo + k, in a big-endian number: bit 0 is the last byte's lowest bit.
  const bits = Buffer.alloc(Math.ceil(span / 8));
  for (const serial of serials) {
    const k = Number(serial - lo);
    bits[bits.length - 1 - Math.floor(k / 8)]! |= 1 << (k % 8);
  }
  return subsection(CERT_SERIAL_BITMAP, Buffer.concat([u64(lo), mpint(bits)]));
}

function* runs(sorted: readonly bigint[]): Generator<{ lo: bigint; hi: bigint }> {
  let lo = sorted[0]!;
  let hi = lo;
  for (const serial of sorted.slice(1)) {
    if (serial === hi + 1n) {
      hi = serial;
      continue;
    }
    yield { lo, hi };
    lo = hi = serial;
  }
  yield { lo, hi };
}

function subsection(type: number, data: Buffer): Buffer {
  return Buffer.concat([u8(type), string(data)]);
}

/** SSH mpint of a non-negative number: no leading zero bytes, one zero byte when the top bit is set. */
function mpint(bigEndian: Buffer): Buffer {
  let start = 0;
  while (start < bigEndian.length && bigEndian[start] === 0) start++;
  const magnitude = bigEndian.subarray(start);
  return string(magnitude.length > 0 && magnitude[0]! & 0x80 ? Buffer.concat([u8(0), magnitude]) : magnitude);
}
