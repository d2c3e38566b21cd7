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

/**
 * The broadcast chart: against offered load (webhooks/s), Aviso's sustained frames/s
 * (left axis) beside the offered frames/s and the raw `ws` broadcast's frames/s of the
 * same run, and the p99 latency (right axis).
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
  const maxX = Math.max(1, ...steps.map((s) => s.rate)) * 1.05;
  const maxFrames = Math.max(1, rawFramesPerSecond, ...steps.map((s) => s.framesPerSecond)) * 1.1;
  const maxMs = Math.max(1, ...steps.map((s) => s.p99)) * 1.1;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (v: number) => (pad.left + (v / maxX) * plotW).toFixed(1);
  const yFrames = (v: number) => (height - pad.bottom - (Math.min(v, maxFrames) / maxFrames) * plotH).toFixed(1);
  const yMs = (v: number) => (height - pad.bottom - (v / maxMs) * plotH).toFixed(1);
  const path = (values: Array<[number, string]>) => values.map(([vx, vy], i) => `${i === 0 ? "M" : "L"}${x(vx)},${vy}`).join(" ");
  const dots = (values: Array<[number, string]>, colour: string) =>
    values.map(([vx, vy]) => `<circle cx="${x(vx)}" cy="${vy}" r="3" fill="${colour}"/>`).join("");
  const frames: Array<[number, string]> = steps.map((s) => [s.rate, yFrames(s.framesPerSecond)]);
  const p99: Array<[number, string]> = steps.map((s) => [s.rate, yMs(s.p99)]);
  const offeredEnd = Math.min(maxX, maxFrames / agents);
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<line x1="${pad.left}" x2="${width - pad.right}" y1="${yFrames(maxFrames * f)}" y2="${yFrames(maxFrames * f)}" stroke="#eee"/>` +
        `<text x="${pad.left - 8}" y="${Number(yFrames(maxFrames * f)) + 4}" font-size="12" text-anchor="end" fill="#1565c0">${(maxFrames * f).toFixed(0)}</text>` +
        `<text x="${width - pad.right + 8}" y="${Number(yMs(maxMs * f)) + 4}" font-size="12" fill="#d32f2f">${(maxMs * f).toFixed(0)}</text>`,
    )
    .join("");
  const xTicks = steps
    .map((s) => `<text x="${x(s.rate)}" y="${height - pad.bottom + 18}" font-size="11" text-anchor="middle">${Math.round(s.rate)}</text>`)
    .join("");
  const legendY = height - 32;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" font-size="15" text-anchor="middle">${title}</text>
${ticks}${xTicks}
<text x="${pad.left + plotW / 2}" y="${height - pad.bottom + 38}" font-size="12" text-anchor="middle">offered load (webhooks/s, each one frame to each of ${agents} agents)</text>
<text x="16" y="${pad.top + plotH / 2}" font-size="12" fill="#1565c0" transform="rotate(-90 16 ${pad.top + plotH / 2})" text-anchor="middle">frames/s received</text>
<text x="${width - 14}" y="${pad.top + plotH / 2}" font-size="12" fill="#d32f2f" transform="rotate(90 ${width - 14} ${pad.top + plotH / 2})" text-anchor="middle">p99 latency (ms)</text>
<line x1="${pad.left}" x2="${width - pad.right}" y1="${yFrames(rawFramesPerSecond)}" y2="${yFrames(rawFramesPerSecond)}" stroke="#000" stroke-width="1.5" stroke-dasharray="6 4"/>
<path d="M${x(0)},${yFrames(0)} L${x(offeredEnd)},${yFrames(offeredEnd * agents)}" stroke="#9e9e9e" stroke-width="1" stroke-dasharray="2 3" fill="none"/>
<path d="${path(frames)}" fill="none" stroke="#1565c0" stroke-width="2"/>${dots(frames, "#1565c0")}
<path d="${path(p99)}" fill="none" stroke="#d32f2f" stroke-width="2"/>${dots(p99, "#d32f2f")}
<line x1="${pad.left}" x2="${pad.left + 24}" y1="${legendY}" y2="${legendY}" stroke="#1565c0" stroke-width="2"/><text x="${pad.left + 30}" y="${legendY + 4}" font-size="12">Aviso frames/s</text>
<line x1="${pad.left + 140}" x2="${pad.left + 164}" y1="${legendY}" y2="${legendY}" stroke="#000" stroke-width="1.5" stroke-dasharray="6 4"/><text x="${pad.left + 170}" y="${legendY + 4}" font-size="12">raw ws broadcast (${rawFramesPerSecond}/s)</text>
<line x1="${pad.left + 340}" x2="${pad.left + 364}" y1="${legendY}" y2="${legendY}" stroke="#9e9e9e" stroke-dasharray="2 3"/><text x="${pad.left + 370}" y="${legendY + 4}" font-size="12">offered frames/s</text>
<line x1="${pad.left}" x2="${pad.left + 24}" y1="${legendY + 18}" y2="${legendY + 18}" stroke="#d32f2f" stroke-width="2"/><text x="${pad.left + 30}" y="${legendY + 22}" font-size="12">Aviso p99 (ms, right axis)</text>
</svg>
`;
}
