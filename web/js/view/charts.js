// The insights' charts, drawn in SVG here (no library): the stretches of one item along a
// session, time against a budget, and a trend as one bar per session. Tracks stretch to any
// width, so whatever words go with them are HTML beside them, which stays legible; a trend
// chart keeps its proportions and carries its few labels itself. The text alternative of each
// comes from its caller, which knows what the chart says.

import { svg } from './dom.js';

/** The width of a track's coordinate system; tracks stretch to their box (bars need no fixed aspect). */
const TRACK_WIDTH = 1000;

/**
 * Where `at` lies along [start, end], in track units.
 * @param {number} at
 * @param {number} start
 * @param {number} end
 */
function along(at, start, end) {
  return ((at - start) / Math.max(1, end - start)) * TRACK_WIDTH;
}

/**
 * An item's row of the timeline: a bar for each stretch it was current, over the ticks' lines.
 * @param {{ from: number, to: number }[]} stretches
 * @param {number} start
 * @param {number} end
 * @param {number[]} tickOffsets from the start, in milliseconds
 */
export function stretchTrack(stretches, start, end, tickOffsets) {
  return svg(
    'svg',
    { class: 'track', viewBox: `0 0 ${TRACK_WIDTH} 20`, preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
    ...tickOffsets.map((offset) => {
      const x = along(start + offset, start, end);
      return svg('line', { class: 'track-tick', x1: x, x2: x, y1: 0, y2: 20, 'vector-effect': 'non-scaling-stroke' });
    }),
    ...stretches.map((stretch) => {
      const x = along(stretch.from, start, end);
      // A stretch of a few seconds still shows as a sliver.
      const width = Math.max(3, along(stretch.to, start, end) - x);
      return svg('rect', { class: 'track-bar', 'data-testid': 'timeline-bar', x, y: 3, width, height: 14, rx: 2 });
    }),
  );
}

/**
 * Time spent against a budget: the budget's length, the time spent over it, and what went past
 * it in the warning colour, marked where the budget ends.
 * @param {number} spent seconds
 * @param {number} budget seconds
 */
export function budgetBar(spent, budget) {
  const scale = Math.max(spent, budget, 1);
  const within = (Math.min(spent, budget) / scale) * TRACK_WIDTH;
  const end = (budget / scale) * TRACK_WIDTH;
  return svg(
    'svg',
    { class: 'budget-bar', viewBox: `0 0 ${TRACK_WIDTH} 12`, preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
    svg('rect', { class: 'budget-total', x: 0, y: 0, width: end, height: 12, rx: 3 }),
    svg('rect', { class: 'budget-spent', x: 0, y: 0, width: within, height: 12, rx: 3 }),
    spent > budget && svg('rect', { class: 'budget-over', x: end, y: 0, width: TRACK_WIDTH - end, height: 12, rx: 3 }),
    spent > budget && svg('line', { class: 'budget-end', x1: end, x2: end, y1: 0, y2: 12, 'vector-effect': 'non-scaling-stroke' }),
  );
}

/** The trend chart's coordinate system: room below for the sessions' labels, at the left for the scale. */
const TREND = { width: 260, height: 112, left: 34, right: 6, top: 10, bottom: 22 };

/**
 * A trend: a bar per session, its parts stacked (`?` and `☕`), on a scale from 0 to `max`;
 * a session without a figure gets a dash on the baseline rather than a bar of nothing.
 * @param {{ label: string, values: (number | null)[], total: number | null }[]} points oldest first
 * @param {number} max the top of the scale
 * @param {string} topLabel the top of the scale as a number ("100%", "3")
 * @param {string} summary the chart in words, for people who cannot see it
 */
export function trendChart(points, max, topLabel, summary) {
  const { width, height, left, right, top, bottom } = TREND;
  const plotWidth = width - left - right;
  const base = height - bottom;
  const slot = plotWidth / Math.max(1, points.length);
  const barWidth = Math.min(slot * 0.66, 34);
  // Many sessions leave no room for every label: the first and the last say the span.
  const labelled = (/** @type {number} */ index) => points.length <= 6 || index === 0 || index === points.length - 1;
  const y = (/** @type {number} */ value) => base - (Math.min(value, max) / max) * (base - top);
  return svg(
    'svg',
    { class: 'trend-chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary },
    svg('title', { text: summary }),
    svg('line', { class: 'trend-rule', x1: left, x2: width - right, y1: top, y2: top }),
    svg('line', { class: 'trend-rule', x1: left, x2: width - right, y1: (top + base) / 2, y2: (top + base) / 2 }),
    svg('text', { class: 'trend-scale', x: left - 4, y: top + 3.5, 'text-anchor': 'end', text: topLabel }),
    svg('text', { class: 'trend-scale', x: left - 4, y: base + 3.5, 'text-anchor': 'end', text: '0' }),
    ...points.flatMap((point, index) => {
      const x = left + slot * index + (slot - barWidth) / 2;
      const shapes = [];
      if (point.total === null) {
        shapes.push(svg('line', { class: 'trend-missing', x1: x + barWidth * 0.25, x2: x + barWidth * 0.75, y1: base - 3, y2: base - 3 }));
      } else {
        let from = 0;
        point.values.forEach((value, part) => {
          if (value === null || value <= 0) return;
          const to = from + value;
          shapes.push(svg('rect', { class: `trend-bar part-${part}`, x, y: y(to), width: barWidth, height: Math.max(0.5, y(from) - y(to)) }));
          from = to;
        });
        // Nothing at all is still a figure: a sliver on the baseline, unlike the dash of no figure.
        if (from === 0) shapes.push(svg('rect', { class: 'trend-bar part-0', x, y: base - 1.5, width: barWidth, height: 1.5 }));
      }
      if (labelled(index)) shapes.push(svg('text', { class: 'trend-label', x: x + barWidth / 2, y: height - 6, 'text-anchor': 'middle', text: point.label }));
      return shapes;
    }),
    svg('line', { class: 'trend-axis', x1: left, x2: width - right, y1: base, y2: base }),
  );
}
