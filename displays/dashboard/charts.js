// Small SVG charts drawn here (no library, no network): grouped bars with an optional line.
//
//   barChart(container, { labels: ['09', '10'], bars: [{ name, color, values }], line: { name, color, values },
//                         format: (v) => String(v) })

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// A round step giving about four grid lines up to `v` (whole steps for counts).
function niceStep(v, integer) {
  if (!(v > 0)) return 1;
  const raw = v / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  let step = 10 * p;
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) { step = m * p; break; }
  return integer ? Math.max(1, Math.round(step)) : step;
}

export function barChart(container, { labels, bars = [], line = null, format = (v) => String(v), height = 190,
                                      integer = false }) {
  const width = Math.max(320, container.clientWidth || 480);
  const pad = { l: 46, r: 12, t: 14, b: 40 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const all = bars.flatMap((b) => b.values).concat(line ? line.values : []).filter((v) => v !== null && v !== undefined);
  const step = niceStep(Math.max(0, ...all), integer);
  const top = Math.max(step, Math.ceil(Math.max(0, ...all) / step) * step);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', height, role: 'img',
                            class: 'chart-svg', 'data-points': String(labels.length) });
  const y = (v) => pad.t + h - (v / top) * h;
  for (let v = 0; v <= top + step / 2; v += step) {
    root.append(svg('line', { x1: pad.l, x2: pad.l + w, y1: y(v), y2: y(v), class: 'grid' }));
    root.append(svg('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, format(v)));
  }
  const n = Math.max(1, labels.length);
  const slot = w / n;
  const bw = Math.min(36, Math.max(3, (slot * 0.72) / Math.max(1, bars.length)));
  labels.forEach((label, i) => {
    const x0 = pad.l + i * slot + (slot - bw * bars.length) / 2;
    bars.forEach((b, j) => {
      const v = b.values[i];
      if (v === null || v === undefined) return;
      const r = svg('rect', { x: x0 + j * bw, y: y(v), width: bw - 1, height: Math.max(0, pad.t + h - y(v)),
                              fill: b.color, class: 'bar' });
      r.append(svg('title', {}, `${label} ${b.name}: ${format(v)}`));
      root.append(r);
    });
    root.append(svg('text', { x: pad.l + i * slot + slot / 2, y: pad.t + h + 16, 'text-anchor': 'middle', class: 'tick' }, label));
  });
  if (line) {
    const pts = line.values.map((v, i) => (v === null || v === undefined ? null : [pad.l + i * slot + slot / 2, y(v)]));
    const d = pts.filter(Boolean).map((p, i) => `${i ? 'L' : 'M'}${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(' ');
    if (d) root.append(svg('path', { d, fill: 'none', stroke: line.color, 'stroke-width': 2, class: 'line' }));
    pts.forEach((p, i) => {
      if (!p) return;
      const c = svg('circle', { cx: p[0], cy: p[1], r: 3, fill: line.color });
      c.append(svg('title', {}, `${labels[i]} ${line.name}: ${format(line.values[i])}`));
      root.append(c);
    });
  }
  root.append(svg('line', { x1: pad.l, x2: pad.l + w, y1: pad.t + h, y2: pad.t + h, class: 'axis' }));
  // legend
  const items = bars.map((b) => [b.name, b.color]).concat(line ? [[line.name, line.color]] : []);
  let lx = pad.l;
  for (const [name, color] of items) {
    root.append(svg('rect', { x: lx, y: height - 14, width: 10, height: 10, fill: color }));
    const tx = svg('text', { x: lx + 14, y: height - 5, class: 'legend' }, name);
    root.append(tx);
    lx += 24 + name.length * 12;
  }
  container.replaceChildren(root);
  if (!labels.length) {
    const empty = svg('text', { x: width / 2, y: pad.t + h / 2, 'text-anchor': 'middle', class: 'tick' }, '—');
    root.append(empty);
  }
}
