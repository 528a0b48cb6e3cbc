// The forecast chart (uPlot): calls forecast per half-hour (left axis) and,
// on a second axis, the agents Erlang C needs, the agents to schedule and
// the agents rostered by their shifts (steps, right axis), over the
// forecast's days in the queue's time zone; it follows the width of its box.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { FittedChart } from "./reports-chart";
import { knownZone } from "./reports-model";

const HEIGHT = 240;

export interface ForecastChartData {
  /** Half-hour starts (epoch seconds). */
  xs: number[];
  calls: Array<number | null>;
  agents: Array<number | null>;
  scheduled: Array<number | null>;
  rostered: Array<number | null>;
  timeZone: string | null;
}

export class ForecastChart {
  private readonly fit: FittedChart;

  constructor(box: HTMLElement) {
    this.fit = new FittedChart(box, HEIGHT);
  }

  show(data: ForecastChartData): void {
    const zone = data.timeZone;
    const steps = uPlot.paths.stepped?.({ align: 1 });
    const count = (_u: uPlot, v: number | null) => (v === null || v === undefined ? "—" : String(Math.round(v)));
    const calls = (_u: uPlot, v: number | null) => (v === null || v === undefined ? "—" : v.toFixed(1));
    const most = Math.max(1, ...data.agents.map((v) => v ?? 0), ...data.scheduled.map((v) => v ?? 0), ...data.rostered.map((v) => v ?? 0));
    const last = data.xs.length ? data.xs[data.xs.length - 1] + 1800 : 1;
    const opts: uPlot.Options = {
      width: this.fit.width(),
      height: HEIGHT,
      tzDate: knownZone(zone) ? (ts) => uPlot.tzDate(new Date(ts * 1000), zone) : undefined,
      scales: {
        x: { time: true, range: () => [data.xs[0] ?? 0, last] },
        calls: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
        agents: { range: () => [0, Math.ceil(most * 1.15)] },
      },
      series: [
        {},
        { label: "Calls forecast", scale: "calls", stroke: "#1a5fb4", fill: "rgba(26, 95, 180, 0.12)", width: 1.5, points: { show: false }, value: calls },
        { label: "Agents required", scale: "agents", stroke: "#b42318", width: 2, paths: steps, points: { show: false }, value: count },
        { label: "Agents to schedule", scale: "agents", stroke: "#1e7a34", width: 1.5, dash: [6, 4], paths: steps, points: { show: false }, value: count },
        // Dotted and lightly filled: told apart from the other steps by more than its colour.
        {
          label: "Agents rostered",
          scale: "agents",
          stroke: "#6f3fa0",
          fill: "rgba(111, 63, 160, 0.08)",
          width: 2,
          dash: [2, 3],
          paths: steps,
          points: { show: false },
          value: count,
        },
      ],
      axes: [
        { space: 70 },
        { scale: "calls", label: "Calls per half-hour", size: 56 },
        { scale: "agents", side: 1, label: "Agents", size: 50, grid: { show: false } },
      ],
    };
    this.fit.replace((box) => new uPlot(opts, [data.xs, data.calls, data.agents, data.scheduled, data.rostered], box));
  }

  /** Removes the chart (e.g. after an error). */
  clear(): void {
    this.fit.replace();
  }

  destroy(): void {
    this.fit.destroy();
  }
}
