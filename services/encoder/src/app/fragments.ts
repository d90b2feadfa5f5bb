/**
 * The few ISO BMFF boxes chunk assembly touches (issue 16 §1). Each chunk is encoded on its own, so
 * ffmpeg's fMP4 muxer starts its fragments at decode time 0 and sequence number 1; joined, they must
 * continue the chunk before: `tfdt.baseMediaDecodeTime` moved by the time before the chunk and
 * `mfhd.sequence_number` by the segments before it. Both are rewritten in place (same sizes, so every
 * data offset stays valid). Hand-written because no maintained npm library rewrites fragments in
 * place; the chunked-encode test checks the result with ffprobe.
 */

interface Box {
  type: string;
  /** Offset of the box header. */
  start: number;
  /** Offset of the payload (after size, type and any 64-bit size). */
  body: number;
  end: number;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf', 'mvex']);

function* boxes(buf: Buffer, from: number, to: number): Generator<Box> {
  let at = from;
  while (at + 8 <= to) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let body = at + 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(at + 8));
      body = at + 16;
    } else if (size === 0) size = to - at;
    if (size < body - at || at + size > to) throw new Error(`malformed ${type} box at ${at}`);
    yield { type, start: at, body, end: at + size };
    at += size;
  }
}

/** Every box of `type` at any depth of the container boxes above. */
function findAll(buf: Buffer, type: string, from = 0, to = buf.length): Box[] {
  const found: Box[] = [];
  for (const box of boxes(buf, from, to)) {
    if (box.type === type) found.push(box);
    if (CONTAINERS.has(box.type)) found.push(...findAll(buf, type, box.body, box.end));
  }
  return found;
}

/** The media timescale (ticks per second) of an init segment's one track. */
export function mediaTimescale(init: Buffer): number {
  const mdhd = findAll(init, 'mdhd')[0];
  if (!mdhd) throw new Error('init segment has no mdhd');
  const version = init.readUInt8(mdhd.body);
  return init.readUInt32BE(mdhd.body + (version === 1 ? 20 : 12));
}

/**
 * The sample description (`stsd`: codec, size, codec configuration) of an init segment's track: two
 * chunks' init segments are interchangeable when theirs are byte-equal.
 */
export function sampleDescription(init: Buffer): Buffer {
  const stsd = findAll(init, 'stsd')[0];
  if (!stsd) throw new Error('init segment has no stsd');
  return init.subarray(stsd.start, stsd.end);
}

/**
 * Shifts every fragment of a media segment by `ticks` of decode time and `sequences` sequence
 * numbers, in place. Answers the decode time at which the segment ends (after the shift): the last
 * fragment's tfdt plus its samples' durations.
 */
export function retimeSegment(segment: Buffer, ticks: bigint, sequences: number): bigint {
  let end = 0n;
  for (const moof of findAll(segment, 'moof')) {
    for (const mfhd of findAll(segment, 'mfhd', moof.body, moof.end)) {
      segment.writeUInt32BE(segment.readUInt32BE(mfhd.body + 4) + sequences, mfhd.body + 4);
    }
    for (const traf of findAll(segment, 'traf', moof.body, moof.end)) {
      const tfdt = findAll(segment, 'tfdt', traf.body, traf.end)[0];
      if (!tfdt) throw new Error('fragment has no tfdt');
      const version = segment.readUInt8(tfdt.body);
      let base: bigint;
      if (version === 1) {
        base = segment.readBigUInt64BE(tfdt.body + 4) + ticks;
        segment.writeBigUInt64BE(base, tfdt.body + 4);
      } else {
        base = BigInt(segment.readUInt32BE(tfdt.body + 4)) + ticks;
        if (base > 0xffffffffn) throw new Error('tfdt version 0 cannot hold the shifted decode time');
        segment.writeUInt32BE(Number(base), tfdt.body + 4);
      }
      end = base + BigInt(fragmentDuration(segment, traf));
    }
  }
  return end;
}

/** Sum of a track fragment's sample durations (per sample in trun, or tfhd's default). */
function fragmentDuration(buf: Buffer, traf: Box): number {
  const tfhd = findAll(buf, 'tfhd', traf.body, traf.end)[0];
  let defaultDuration: number | undefined;
  if (tfhd) {
    const flags = buf.readUInt32BE(tfhd.body) & 0xffffff;
    let at = tfhd.body + 8; // version/flags, track_ID
    if (flags & 0x01) at += 8;
    if (flags & 0x02) at += 4;
    if (flags & 0x08) defaultDuration = buf.readUInt32BE(at);
  }
  let total = 0;
  for (const trun of findAll(buf, 'trun', traf.body, traf.end)) {
    const flags = buf.readUInt32BE(trun.body) & 0xffffff;
    const count = buf.readUInt32BE(trun.body + 4);
    let at = trun.body + 8;
    if (flags & 0x01) at += 4;
    if (flags & 0x04) at += 4;
    const fields = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length;
    for (let i = 0; i < count; i += 1) {
      if (flags & 0x100) total += buf.readUInt32BE(at);
      else if (defaultDuration !== undefined) total += defaultDuration;
      else throw new Error('fragment samples have no duration');
      at += 4 * fields;
    }
  }
  return total;
}
