/**
 * Time-series charts on uPlot (small, fast canvas charts; the library behind
 * many Grafana-style consoles): a row sparkline and a full chart with axes,
 * legend and hover values. Time is in seconds since the epoch.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** Series colours, in order; chosen to stay apart on the dark background. */
export const PALETTE = ["#5b8def", "#5fbf6a", "#f0b23e", "#f2555f", "#b877d9", "#4fc3c7", "#ff8a4c", "#8ab8ff"];

const AXIS = { stroke: "#8d909a", grid: { stroke: "#262a31", width: 1 }, ticks: { stroke: "#2c3037", width: 1 } };

/** `[times, ...ys]` with nulls for gaps. */
export type Series = [number[], ...Array<Array<number | null>>];

/** A 48×22 line of recent values, no axes: the trend beside a number in a table. */
export function Sparkline({
  times,
  values,
  color = PALETTE[0]!,
  label,
}: {
  times: number[];
  values: Array<number | null>;
  color?: string;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    if (!ref.current) return;
    plot.current = new uPlot(
      {
        width: 48,
        height: 22,
        pxAlign: false,
        cursor: { show: false },
        legend: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
        series: [{}, { stroke: color, width: 1.25, fill: `${color}26`, points: { show: false } }],
      },
      [[], []],
      ref.current,
    );
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [color]);

  useEffect(() => {
    plot.current?.setData([times, values] as uPlot.AlignedData);
  }, [times, values]);

  return <div ref={ref} className="spark" role="img" aria-label={label} />;
}

/**
 * A time chart with axes and a legend that shows values under the cursor.
 * Resizes with its container.
 */
export function TimeChart({
  data,
  labels,
  format,
  height = 180,
  yMin = 0,
  colors = PALETTE,
}: {
  data: Series;
  labels: string[];
  format: (v: number | null | undefined) => string;
  height?: number;
  yMin?: number;
  colors?: string[];
}) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = labels.join("\u0000");

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt when the series set changes (key), not on new data
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const fmt = (_u: uPlot, v: number | null) => format(v);
    plot.current = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        pxAlign: false,
        legend: { live: true },
        cursor: { points: { size: 6 } },
        scales: {
          x: { time: true },
          y: { range: (_u, _min, max) => [yMin, max > yMin ? max * 1.1 : yMin + 1] },
        },
        axes: [
          { ...AXIS, size: 28 },
          { ...AXIS, size: 56, values: (_u, vals) => vals.map((v) => format(v)) },
        ],
        series: [
          { label: "time" },
          ...labels.map((label, i) => ({
            label,
            stroke: colors[i % colors.length],
            width: 1.5,
            value: fmt,
            points: { show: false },
          })),
        ],
      },
      data as uPlot.AlignedData,
      el,
    );
    const ro = new ResizeObserver(() => {
      if (plot.current && el.clientWidth > 0) plot.current.setSize({ width: el.clientWidth, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [key, height]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return <div ref={ref} className="chart" />;
}
