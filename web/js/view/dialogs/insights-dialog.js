// Insights: how the room refines, from its own record, read from the server when the dialog
// opens: where a session's time went, item by item, against its budget; trends across
// sessions; the items likely too big; and, for the facilitator alone, figures per person.
// Each chart's data can be saved as CSV, made here from what was fetched.

import { errorText, formatDuration, formatNumber, formatPercent, t } from '../../i18n.js';
import {
  TRENDS,
  budgetUse,
  csvName,
  distanceText,
  formatFigure,
  hasTrends,
  latestFigure,
  peopleCsv,
  sessionTitle,
  splitCsv,
  timeline,
  timelineCsv,
  timelineSummary,
  trendCsv,
  trendMax,
  trendPoints,
  trendSummary,
} from '../../insights.js';
import { budgetBar, stretchTrack, trendChart } from '../charts.js';
import { $, h, replace } from '../dom.js';
import { saveFile } from '../save-file.js';

/** @typedef {import('../../protocol.js').Insights} Insights */
/** @typedef {import('../../protocol.js').SessionInsights} SessionInsights */
/** @typedef {import('../../insights.js').Trend} Trend */

export class InsightsDialog {
  /**
   * @param {import('../../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.dialog = /** @type {HTMLDialogElement} */ ($('#insights-dialog'));
    /** Which opening an answer belongs to, so that a slow answer cannot replace a newer one. */
    this.opening = 0;
    /** @type {Insights | null} */
    this.insights = null;
    /** The session whose timeline is shown, by its place in `sessions`. */
    this.shown = 0;
  }

  async open() {
    const opening = ++this.opening;
    this.render(h('p', { class: 'dialog-hint', role: 'status', 'data-testid': 'insights-loading', text: t('insights.loading') }));
    if (!this.dialog.open) this.dialog.showModal();
    try {
      const insights = await this.actions.loadInsights();
      if (opening !== this.opening) return;
      this.insights = insights;
      this.shown = insights.sessions.length - 1;
      this.render(...this.content(insights));
    } catch (error) {
      if (opening !== this.opening) return;
      this.render(
        h(
          'div',
          { class: 'insights-problem' },
          h('p', { class: 'form-error', role: 'alert', 'data-testid': 'insights-error', text: t('insights.failed', { reason: errorText(/** @type {any} */ (error)) }) }),
          h('button', { type: 'button', 'data-testid': 'insights-retry', text: t('insights.retry'), onclick: () => this.open() }),
        ),
      );
    }
  }

  /** @param {...(Node | null | false)} body */
  render(...body) {
    replace(
      this.dialog,
      h(
        'div',
        { class: 'insights', 'data-testid': 'insights' },
        h(
          'div',
          { class: 'insights-head' },
          h('h2', { id: 'insights-heading', text: t('insights.heading') }),
          h('button', { type: 'button', class: 'small', 'data-testid': 'insights-close', text: t('dialog.close'), onclick: () => this.dialog.close() }),
        ),
        h('p', { class: 'dialog-hint', text: t('insights.hint') }),
        ...body,
      ),
    );
  }

  /** @param {Insights} insights */
  content(insights) {
    return [
      this.sessionSection(insights.sessions),
      this.trendsSection(insights.sessions),
      h('div', { class: 'insights-columns' }, this.splitSection(insights.split_candidates), insights.people && this.peopleSection(insights.people)),
    ];
  }

  /**
   * A section: its heading, what is beside it (a CSV download, a choice), and its content.
   * @param {string} id
   * @param {string} heading
   * @param {Array<Node | null | false>} tools
   * @param {...(Node | null | false)} content
   */
  section(id, heading, tools, ...content) {
    return h(
      'section',
      { class: `insights-section ${id}`, 'data-testid': `insights-${id}`, 'aria-labelledby': `insights-${id}-heading` },
      h('div', { class: 'section-head' }, h('h3', { id: `insights-${id}-heading`, text: heading }), h('div', { class: 'section-tools' }, ...tools)),
      ...content,
    );
  }

  /**
   * A button saving a chart's data as CSV. Its name says which chart; its face just "CSV".
   * @param {string} part the file's part of the name, and the button's test id
   * @param {string} chart the chart's name
   * @param {() => string} make the file's text
   */
  csvButton(part, chart, make) {
    const says = t('insights.downloadCsv', { chart });
    return h(
      'button',
      {
        type: 'button',
        class: 'small csv-button',
        'data-testid': `csv-${part}`,
        title: says,
        onclick: () => saveFile(this.dialog, { blob: new Blob([make()], { type: 'text/csv;charset=utf-8' }), name: csvName(part) }),
      },
      h('span', { class: 'export-mark', 'aria-hidden': 'true', text: '⤓' }),
      h('span', { 'aria-hidden': 'true', text: 'CSV' }),
      h('span', { class: 'visually-hidden', text: says }),
    );
  }

  /** @param {SessionInsights[]} sessions */
  sessionSection(sessions) {
    const session = sessions[this.shown];
    const heading = t('insights.timeline');
    const choose =
      sessions.length > 1 &&
      h(
        'label',
        { class: 'inline-field session-choice' },
        h('span', { class: 'visually-hidden', text: t('insights.session') }),
        h(
          'select',
          {
            'data-testid': 'insights-session-select',
            onchange: (/** @type {Event} */ event) => {
              const select = /** @type {HTMLSelectElement} */ (event.target);
              this.shown = Number(select.value);
              const next = this.sessionSection(sessions);
              select.closest('section')?.replaceWith(next);
              /** @type {HTMLElement | null} */ (next.querySelector('select'))?.focus();
            },
          },
          // Newest first: the latest is what people come for.
          ...sessions.map((s, index) => h('option', { value: index, selected: index === this.shown, text: sessionTitle(s) })).reverse(),
        ),
      );
    const csv = session.timeline.length > 0 && this.csvButton('timeline', heading, () => timelineCsv(session));
    return this.section(
      'timeline',
      heading,
      [choose, csv],
      h('p', { class: 'session-title', 'data-testid': 'insights-session-title', text: sessionTitle(session) }),
      this.budget(session),
      h(
        'dl',
        { class: 'insights-figures' },
        figure(t('insights.itemsEstimated'), formatNumber(session.items_estimated), 'insights-items-estimated'),
        figure(t('insights.rounds'), formatNumber(session.rounds), 'insights-rounds'),
        figure(t('insights.trend.first_round_consensus'), session.first_round_consensus === undefined ? '—' : formatPercent(session.first_round_consensus), 'insights-consensus'),
      ),
      session.timeline.length === 0 ? h('p', { class: 'insights-empty', 'data-testid': 'timeline-empty', text: t('insights.timelineEmpty') }) : this.timelineChart(session),
    );
  }

  /**
   * The time on items against the session's budget, in words and as a bar.
   * @param {SessionInsights} session
   */
  budget(session) {
    const use = budgetUse(session);
    return h(
      'div',
      { class: `budget${use.over > 0 ? ' over' : ''}`, 'data-testid': 'insights-budget' },
      h(
        'p',
        { class: 'budget-line' },
        h('span', { text: t('insights.onItems', { spent: formatDuration(use.spent), budget: formatDuration(use.budget) }) }),
        use.share !== null && h('strong', { class: 'budget-share', text: use.over > 0 ? t('insights.overBudget', { time: formatDuration(use.over) }) : t('insights.ofBudget', { percent: formatPercent(use.share) }) }),
      ),
      budgetBar(use.spent, use.budget),
    );
  }

  /**
   * The timeline: a row per item, with a bar per stretch it was current, on a shared time axis.
   * The rows' words are HTML so that they stay legible at any width; the whole reads as one
   * image, summarised for screen readers, whose stretches are in its CSV.
   * @param {SessionInsights} session
   */
  timelineChart(session) {
    const { start, end, rows, ticks } = timeline(session);
    const offsets = ticks.map((tick) => tick.offset);
    const at = (/** @type {number} */ offset) => `${(offset / Math.max(1, end - start)) * 100}%`;
    return h(
      'div',
      { class: 'timeline', 'data-testid': 'timeline', role: 'img', 'aria-label': timelineSummary(session) },
      ...rows.map((row) =>
        h(
          'div',
          { class: 'timeline-row', 'data-testid': 'timeline-row', 'data-item-id': row.item_id },
          h('span', { class: 'timeline-title', title: row.title, text: row.title }),
          stretchTrack(row.stretches, start, end, offsets),
          h('span', { class: 'timeline-time', text: formatDuration(row.seconds) }),
        ),
      ),
      h(
        'div',
        { class: 'timeline-row timeline-axis', 'aria-hidden': 'true' },
        h('span'),
        h('div', { class: 'axis-ticks' }, ...ticks.map((tick, index) => h('span', { class: `axis-tick${index === 0 ? ' first' : ''}`, style: { left: at(tick.offset) }, text: tick.label }))),
        h('span'),
      ),
    );
  }

  /** @param {SessionInsights[]} sessions */
  trendsSection(sessions) {
    const heading = t('insights.trends');
    if (!hasTrends(sessions)) return this.section('trends', heading, [], h('p', { class: 'insights-empty', 'data-testid': 'trends-empty', text: t('insights.trendsEmpty') }));
    return this.section(
      'trends',
      heading,
      [],
      h('p', { class: 'dialog-hint', text: t(sessions.length > 1 ? 'insights.trendsHint' : 'insights.trendsHintOne') }),
      h('div', { class: 'trend-grid' }, ...TRENDS.map((trend) => this.trend(sessions, trend))),
    );
  }

  /**
   * @param {SessionInsights[]} sessions
   * @param {Trend} trend
   */
  trend(sessions, trend) {
    const name = t(`insights.trend.${trend.key}`);
    const points = trendPoints(sessions, trend);
    const max = trendMax(trend, points);
    const latest = latestFigure(sessions, trend);
    return h(
      'figure',
      { class: 'trend', 'data-testid': 'trend', 'data-trend': trend.key },
      h(
        'figcaption',
        { class: 'trend-caption' },
        h('span', { class: 'trend-name', text: name }),
        h('strong', { class: 'trend-latest', 'data-testid': 'trend-latest', text: latest === null ? '—' : formatFigure(trend, latest) }),
        h('small', { class: 'trend-hint', text: t(`insights.trendHint.${trend.key}`) }),
      ),
      trendChart(points, max, trend.unit === 'share' ? formatPercent(max) : formatNumber(max), trendSummary(sessions, trend)),
      h(
        'div',
        { class: 'trend-foot' },
        trend.figures.length > 1 &&
          h('ul', { class: 'trend-legend', 'aria-hidden': 'true' }, ...trend.figures.map((figure, part) => h('li', { class: `part-${part}`, text: t(`insights.figure.${figure}`) }))),
        this.csvButton(`trend-${trend.key.replaceAll('_', '-')}`, name, () => trendCsv(sessions, trend)),
      ),
    );
  }

  /** @param {Insights['split_candidates']} candidates */
  splitSection(candidates) {
    const heading = t('insights.split');
    const size = this.store.room?.settings.suggest_split_at ?? 13;
    return this.section(
      'split',
      heading,
      [candidates.length > 0 && this.csvButton('split-candidates', heading, () => splitCsv(candidates))],
      h('p', { class: 'dialog-hint', text: t('insights.splitHint', { size }) }),
      candidates.length === 0
        ? h('p', { class: 'insights-empty', 'data-testid': 'split-empty', text: t('insights.splitEmpty') })
        : h(
            'ul',
            { class: 'split-candidates', 'data-testid': 'split-candidates' },
            ...candidates.map((candidate) =>
              h(
                'li',
                { 'data-testid': 'split-candidate', 'data-item-id': candidate.item_id },
                this.store.items.has(candidate.item_id)
                  ? h('button', { type: 'button', class: 'link-button', text: candidate.title, onclick: () => this.openItem(candidate.item_id) })
                  : h('span', { text: candidate.title }),
                h('span', { class: 'mini-card', text: candidate.estimate }),
              ),
            ),
          ),
    );
  }

  /** @param {import('../../protocol.js').PersonInsights[]} people */
  peopleSection(people) {
    const heading = t('insights.people');
    const number = (/** @type {string} */ text) => h('td', { class: 'num', text });
    return this.section(
      'people',
      heading,
      [people.length > 0 && this.csvButton('people', heading, () => peopleCsv(people))],
      h('p', { class: 'dialog-hint', text: t('insights.peopleHint') }),
      people.length === 0
        ? h('p', { class: 'insights-empty', 'data-testid': 'people-empty', text: t('insights.peopleEmpty') })
        : h(
            'div',
            // Scrolled sideways on a phone, so it takes the focus for the keyboard to scroll it.
            { class: 'table-scroll', role: 'region', 'aria-label': heading, tabindex: 0 },
            h(
              'table',
              { class: 'insights-table', 'data-testid': 'people-table' },
              h('caption', { class: 'visually-hidden', text: heading }),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col', text: t('insights.person') }),
                  h('th', { scope: 'col', class: 'num', text: t('insights.votes') }),
                  h('th', { scope: 'col', class: 'num', text: t('insights.unsureShare') }),
                  h('th', { scope: 'col', class: 'num', text: t('insights.outlierRounds') }),
                  h('th', { scope: 'col', class: 'num', text: t('insights.distance') }),
                ),
              ),
              h(
                'tbody',
                {},
                ...people.map((person) =>
                  h(
                    'tr',
                    { 'data-testid': 'person-row', 'data-participant-id': person.participant_id },
                    h('th', { scope: 'row', text: person.name }),
                    number(formatNumber(person.votes)),
                    number(formatPercent(person.unsure_share)),
                    number(formatNumber(person.outlier_rounds)),
                    number(distanceText(person)),
                  ),
                ),
              ),
            ),
          ),
    );
  }

  /**
   * Opens an item from the insights: the dialog makes way for it.
   * @param {string} itemId
   */
  openItem(itemId) {
    this.store.select(itemId);
    this.dialog.close();
  }
}

/**
 * @param {string} label
 * @param {string} value
 * @param {string} testid
 */
function figure(label, value, testid) {
  return h('div', { class: 'stat' }, h('dt', { text: label }), h('dd', { 'data-testid': testid, text: value }));
}
