/** A dependency-free SVG line chart: throughput against concurrency, one line per series. */
export function throughputChart(series: ReadonlyArray<{ name: string; points: ReadonlyArray<{ x: number; y: number }> }>): string {
  const width = 640;
  const height = 360;
  const pad = { left: 60, right: 170, top: 30, bottom: 45 };
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const maxY = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.y))) * 1.1;
  const x = (v: number) => pad.left + (xs.indexOf(v) / Math.max(1, xs.length - 1)) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - (v / maxY) * (height - pad.top - pad.bottom);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const ticks = Array.from({ length: 5 }, (_, i) => (maxY / 4) * i);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${pad.left}" y="18" font-size="14">Operations per second by concurrency (one run, DynamoDB Local)</text>`,
    ...ticks.map((t) => `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/><text x="${pad.left - 6}" y="${y(t) + 4}" text-anchor="end">${Math.round(t)}</text>`),
    ...xs.map((v) => `<text x="${x(v)}" y="${height - pad.bottom + 18}" text-anchor="middle">${v}</text>`),
    `<text x="${(pad.left + width - pad.right) / 2}" y="${height - 8}" text-anchor="middle">concurrent requests</text>`,
    ...series.map((s, i) => {
      const color = colors[i % colors.length];
      const path = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.x)},${y(p.y)}`).join(' ');
      const dots = s.points.map((p) => `<circle cx="${x(p.x)}" cy="${y(p.y)}" r="3" fill="${color}"/>`).join('');
      const legendY = pad.top + 10 + i * 18;
      return `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots}<line x1="${width - pad.right + 12}" x2="${width - pad.right + 30}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2"/><text x="${width - pad.right + 34}" y="${legendY + 4}">${s.name}</text>`;
    }),
    '</svg>',
  ];
  return parts.join('\n');
}
