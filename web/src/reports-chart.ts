// The service-level line chart (uPlot): the percent per interval and the
// target as a flat dashed line, over the whole range asked for; it follows
// the width of its box.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { knownZone, percentText } from "./reports-model";

const HEIGHT = 220;

export interface ChartData {
  /** The range shown (epoch seconds), `to` excluded. */
  from: number;
  to: number;
  /** Group starts (epoch seconds) and their percent (null: no calls counted). */
  xs: number[];
  percents: Array<number | null>;
  target: number | null;
  /** The report's zone, for the time axis (the browser's when unknown). */
  timeZone: string | null;
}

export class ServiceLevelChart {
  private readonly fit: FittedChart;

  constructor(box: HTMLElement) {
    this.fit = new FittedChart(box, HEIGHT);
  }

  show(data: ChartData): void {
    const zone = data.timeZone;
    const value = (_u: uPlot, v: number | null) => (v === null || v === undefined ? "—" : percentText(v));
    const opts: uPlot.Options = {
      width: this.fit.width(),
      height: HEIGHT,
      tzDate: knownZone(zone) ? (ts) => uPlot.tzDate(new Date(ts * 1000), zone) : undefined,
      scales: {
        x: { time: true, range: () => [data.from, data.to] },
        y: { range: [0, 100] },
      },
      series: [
        {},
        { label: "Service level", stroke: "#1a5fb4", width: 2, points: { show: true, size: 6 }, value },
        { label: "Target", stroke: "#b42318", width: 1.5, dash: [6, 4], points: { show: false }, value },
      ],
      axes: [{ space: 70 }, { values: (_u, splits) => splits.map((v) => `${v}%`), size: 50 }],
    };
    const target = data.xs.map(() => data.target);
    this.fit.replace((box) => new uPlot(opts, [data.xs, data.percents, target], box));
  }

  destroy(): void {
    this.fit.destroy();
  }
}

/** A uPlot chart kept as wide as its box (at least 280 px), `height` tall. */
export class FittedChart {
  private plot: uPlot | null = null;
  private readonly observer: ResizeObserver;

  constructor(
    private readonly box: HTMLElement,
    private readonly height: number,
  ) {
    this.observer = new ResizeObserver(() => {
      if (this.plot && this.width() !== this.plot.width) this.plot.setSize({ width: this.width(), height: this.height });
    });
    this.observer.observe(box);
  }

  /** The width a chart drawn now should have. */
  width(): number {
    return Math.max(280, Math.floor(this.box.clientWidth));
  }

  /** Replaces the chart with what `make` draws into the box (none: removes it). */
  replace(make?: (box: HTMLElement) => uPlot): void {
    this.plot?.destroy();
    this.plot = make ? make(this.box) : null;
  }

  destroy(): void {
    this.observer.disconnect();
    this.replace();
  }
}
