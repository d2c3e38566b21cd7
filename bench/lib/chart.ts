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
