/** A rendition as the admin API lists it (AdminAsset's; spelt out so this file imports nothing). */
export interface AdminRendition {
  height: number;
  bandwidth: number;
  codecs?: string;
}

export interface CodecRungs {
  /** 'H.264' or 'AV1'. */
  label: string;
  /** Tallest first, as the master playlist lists them. */
  rungs: AdminRendition[];
}

/** The video part of a rendition's CODECS (`av01.0.04M.08,mp4a.40.2` → `av01.0.04M.08`). */
export function videoCodecs(codecs: string | undefined): string {
  return (
    (codecs ?? '')
      .split(',')
      .map((c) => c.trim())
      .find((c) => !c.startsWith('mp4a')) ?? ''
  );
}

/**
 * An asset's renditions grouped by codec family, H.264 first. The family is read from CODECS as the
 * edge does (`av01…` is AV1, anything else H.264): assets encoded before AV1 carry no other mark.
 */
export function renditionsByCodec(renditions: readonly AdminRendition[]): CodecRungs[] {
  const families: CodecRungs[] = [
    { label: 'H.264', rungs: [] },
    { label: 'AV1', rungs: [] },
  ];
  for (const r of renditions) families[videoCodecs(r.codecs).startsWith('av01') ? 1 : 0]!.rungs.push(r);
  for (const f of families) f.rungs.sort((a, b) => b.height - a.height || b.bandwidth - a.bandwidth);
  return families.filter((f) => f.rungs.length > 0);
}
