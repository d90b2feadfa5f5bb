import type { AdminAsset } from './api';
import { renditionsByCodec, videoCodecs } from './renditions-by-codec';

const kbps = (bandwidth: number) => `${Math.round(bandwidth / 1000).toLocaleString('en')} kb/s`;

/** A title's encoded ladder, one small table per codec: what each viewer's player chooses among. */
export function TitleRenditions({ asset, name }: { asset: AdminAsset | null | undefined; name: string }) {
  if (asset?.state !== 'ready' || !asset.renditions?.length) return null;
  return (
    <section className="title-renditions" aria-label={`Renditions of ${name}`}>
      {renditionsByCodec(asset.renditions).map((family) => (
        <table key={family.label} className="admin-table" data-codec={family.label}>
          <caption>
            {family.label} — {family.rungs.length} {family.rungs.length === 1 ? 'rung' : 'rungs'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Height</th>
              <th scope="col">Bit rate</th>
              <th scope="col">Codec</th>
            </tr>
          </thead>
          <tbody>
            {family.rungs.map((r) => (
              <tr key={`${r.height}-${r.bandwidth}`}>
                <td>{r.height}p</td>
                <td>{kbps(r.bandwidth)}</td>
                <td>
                  <code>{videoCodecs(r.codecs) || '—'}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}
