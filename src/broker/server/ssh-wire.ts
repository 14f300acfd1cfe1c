/** The SSH wire encoding (RFC 4251 §5) that certificates and KRLs are made of. */

export function u8(value: number): Buffer {
  return Buffer.from([value]);
}

export function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

export function u64(value: bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(value);
  return buffer;
}

/** A length-prefixed string; text is UTF-8, and no argument is the empty string. */
export function string(data: Buffer | string = Buffer.alloc(0)): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([u32(bytes.length), bytes]);
}
