import { useEffect, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A uPlot chart sized to its container. uPlot draws on a canvas, so the figure also gets a text
 * summary (`label`) for screen readers; the tables beside each chart carry the same numbers.
 */
export function Chart({
  label,
  options,
  data,
  height = 220,
}: {
  label: string;
  options: Omit<Options, 'width' | 'height'>;
  data: AlignedData;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot({ ...options, width: Math.max(280, el.clientWidth), height }, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [options, data, height]);
  return <figure className="chart" role="img" aria-label={label} ref={box} />;
}

/** uPlot's bar drawing for histograms. */
export const bars = uPlot.paths.bars?.({ size: [0.8, 64] });
