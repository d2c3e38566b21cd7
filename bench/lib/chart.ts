/** A small SVG line chart: latency percentiles (ms) against offered load (webhooks/s). */
export function latencyChart(points: Array<{ rate: number; p50: number; p90: number; p99: number }>, title: string): string {
  const width = 640;
  const height = 360;
  const pad = { left: 60, right: 110, top: 40, bottom: 50 };
  const maxX = Math.max(...points.map((p) => p.rate));
  const maxY = Math.max(1, ...points.map((p) => p.p99)) * 1.1;
  const x = (v: number) => pad.left + (v / maxX) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - (v / maxY) * (height - pad.top - pad.bottom);
  const series: Array<[keyof (typeof points)[number], string]> = [
    ["p50", "#388e3c"],
    ["p90", "#fbc02d"],
    ["p99", "#d32f2f"],
  ];
  const lines = series
    .map(([key, colour], i) => {
      const d = points.map((p, j) => `${j === 0 ? "M" : "L"}${x(p.rate).toFixed(1)},${y(p[key] as number).toFixed(1)}`).join(" ");
      const dots = points.map((p) => `<circle cx="${x(p.rate).toFixed(1)}" cy="${y(p[key] as number).toFixed(1)}" r="3" fill="${colour}"/>`).join("");
      return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>${dots}<text x="${width - pad.right + 10}" y="${pad.top + 20 * i + 10}" fill="${colour}" font-size="13">${String(key)}</text>`;
    })
    .join("\n");
  const xTicks = points.map((p) => `<text x="${x(p.rate)}" y="${height - pad.bottom + 18}" font-size="12" text-anchor="middle">${p.rate}</text>`).join("");
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<text x="${pad.left - 8}" y="${y(maxY * f) + 4}" font-size="12" text-anchor="end">${(maxY * f).toFixed(0)}</text><line x1="${pad.left}" x2="${width - pad.right}" y1="${y(maxY * f)}" y2="${y(maxY * f)}" stroke="#eee"/>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" font-size="15" text-anchor="middle">${title}</text>
${yTicks}${xTicks}
<text x="${(pad.left + width - pad.right) / 2}" y="${height - 12}" font-size="12" text-anchor="middle">offered load (webhooks/s)</text>
<text x="16" y="${height / 2}" font-size="12" transform="rotate(-90 16 ${height / 2})" text-anchor="middle">latency (ms)</text>
${lines}
</svg>
`;
}

/** Powers of ten spanning [low, high], for a log axis. */
function decades(low: number, high: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) out.push(10 ** e);
  return out;
}

/**
 * The broadcast chart: against offered load (webhooks/s), Aviso's sustained frames/s
 * (left axis) beside the offered frames/s and the raw `ws` broadcast's frames/s of the
 * same run, and the p99 latency (right axis). Both axes are logarithmic: the raw
 * baseline and a run-away p99 are orders of magnitude above the rest.
 */
export function broadcastChart(
  steps: Array<{ rate: number; framesPerSecond: number; p99: number }>,
  rawFramesPerSecond: number,
  agents: number,
  title: string,
): string {
  const width = 680;
  const height = 380;
  const pad = { left: 70, right: 70, top: 40, bottom: 90 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const maxX = Math.max(1, ...steps.map((s) => s.rate)) * 1.05;
  const frameTicks = decades(
    Math.max(1, Math.min(...steps.map((s) => s.framesPerSecond))),
    Math.max(rawFramesPerSecond, ...steps.map((s) => s.framesPerSecond)),
  );
  const msTicks = decades(Math.max(0.1, Math.min(...steps.map((s) => s.p99))), Math.max(...steps.map((s) => s.p99)));
  const logY = (ticks: number[]) => (v: number) => {
    const [low, high] = [Math.log10(ticks[0]!), Math.log10(ticks.at(-1)!)];
    const f = (Math.log10(Math.max(v, ticks[0]!)) - low) / Math.max(1e-9, high - low);
    return (height - pad.bottom - f * plotH).toFixed(1);
  };
  const yFrames = logY(frameTicks);
  const yMs = logY(msTicks);
  const x = (v: number) => (pad.left + (v / maxX) * plotW).toFixed(1);
  const path = (values: Array<[number, string]>) => values.map(([vx, vy], i) => `${i === 0 ? "M" : "L"}${x(vx)},${vy}`).join(" ");
  const dots = (values: Array<[number, string]>, colour: string) =>
    values.map(([vx, vy]) => `<circle cx="${x(vx)}" cy="${vy}" r="3" fill="${colour}"/>`).join("");
  const frames: Array<[number, string]> = steps.map((s) => [s.rate, yFrames(s.framesPerSecond)]);
  const p99: Array<[number, string]> = steps.map((s) => [s.rate, yMs(s.p99)]);
  // The offered frames/s (rate × agents), clipped to the axis.
  const offered: Array<[number, string]> = Array.from({ length: 41 }, (_, i) => (maxX * (i + 1)) / 41)
    .filter((r) => r * agents >= frameTicks[0]! && r * agents <= frameTicks.at(-1)!)
    .map((r) => [r, yFrames(r * agents)]);
  const label = (v: number) => (v >= 1000 ? `${v / 1000}k` : String(v));
  const leftTicks = frameTicks
    .map(
      (v) =>
        `<line x1="${pad.left}" x2="${width - pad.right}" y1="${yFrames(v)}" y2="${yFrames(v)}" stroke="#eee"/><text x="${pad.left - 8}" y="${Number(yFrames(v)) + 4}" font-size="12" text-anchor="end" fill="#1565c0">${label(v)}</text>`,
    )
    .join("");
  const rightTicks = msTicks
    .map((v) => `<text x="${width - pad.right + 8}" y="${Number(yMs(v)) + 4}" font-size="12" fill="#d32f2f">${label(v)}</text>`)
    .join("");
  const xTicks = steps
    .map((s) => `<text x="${x(s.rate)}" y="${height - pad.bottom + 18}" font-size="11" text-anchor="middle">${Math.round(s.rate * 10) / 10}</text>`)
    .join("");
  const legendY = height - 32;
  const legend = (offset: number, row: number, stroke: string, text: string) =>
    `<line x1="${pad.left + offset}" x2="${pad.left + offset + 24}" y1="${legendY + row * 18}" y2="${legendY + row * 18}" ${stroke}/><text x="${pad.left + offset + 30}" y="${legendY + row * 18 + 4}" font-size="12">${text}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" font-size="15" text-anchor="middle">${title}</text>
${leftTicks}${rightTicks}${xTicks}
<text x="${pad.left + plotW / 2}" y="${height - pad.bottom + 38}" font-size="12" text-anchor="middle">offered load (webhooks/s, each one frame to each of ${agents} agents)</text>
<text x="16" y="${pad.top + plotH / 2}" font-size="12" fill="#1565c0" transform="rotate(-90 16 ${pad.top + plotH / 2})" text-anchor="middle">frames/s received (log)</text>
<text x="${width - 14}" y="${pad.top + plotH / 2}" font-size="12" fill="#d32f2f" transform="rotate(90 ${width - 14} ${pad.top + plotH / 2})" text-anchor="middle">p99 latency, ms (log)</text>
<line x1="${pad.left}" x2="${width - pad.right}" y1="${yFrames(rawFramesPerSecond)}" y2="${yFrames(rawFramesPerSecond)}" stroke="#000" stroke-width="1.5" stroke-dasharray="6 4"/>
<path d="${path(offered)}" stroke="#9e9e9e" stroke-width="1" stroke-dasharray="2 3" fill="none"/>
<path d="${path(frames)}" fill="none" stroke="#1565c0" stroke-width="2"/>${dots(frames, "#1565c0")}
<path d="${path(p99)}" fill="none" stroke="#d32f2f" stroke-width="2"/>${dots(p99, "#d32f2f")}
${legend(0, 0, 'stroke="#1565c0" stroke-width="2"', "Aviso frames/s")}
${legend(140, 0, 'stroke="#000" stroke-width="1.5" stroke-dasharray="6 4"', `raw ws broadcast, ${rawFramesPerSecond} frames/s`)}
${legend(0, 1, 'stroke="#d32f2f" stroke-width="2"', "Aviso p99 (right axis)")}
${legend(140, 1, 'stroke="#9e9e9e" stroke-dasharray="2 3"', "offered frames/s")}
</svg>
`;
}
