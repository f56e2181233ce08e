import type { FieldPlan, PlanEntry } from './classify';
import { PRICE_TABLE, type ScopeCost } from './cost';

const FALLBACK_REGION = PRICE_TABLE.fallbackRegion;
import type { Plan } from './index';

const MAX_VALUE = 80;

/** A value as one short line: JSON, cut with `…` past 80 characters; `(none)` when absent. */
export function showValue(v: unknown): string {
  if (v === undefined) {
    return '(none)';
  }
  const s = JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

const money = (n: number) => `$${n.toFixed(2)}`;
const range = (r: { min: number; max: number }) => (r.min === r.max ? money(r.min) : `${money(r.min)}–${money(r.max)}`);

const scopeTitle = (scope: string, production: boolean) =>
  scope === 'platform' || scope === 'argocd' ? scope : `environment ${scope}${production ? ' (production)' : ''}`;

const objectName = (e: { namespace: string; name: string }) => (e.namespace ? `${e.namespace}/${e.name}` : e.name);

function entryLine(e: PlanEntry): string {
  const what = e.awsKind && e.awsKind !== e.type ? `${e.type} (${e.awsKind})` : e.type;
  const name = e.from ? `${objectName(e.from)} → ${objectName(e)}` : objectName(e);
  return `${e.class}${e.red ? ' RED' : ''}: ${e.action} ${what} ${name}`;
}

/** One changed field; its reason only where the entry does not already give it. */
const fieldLine = (f: FieldPlan, e: PlanEntry) => {
  const why = f.class === 'in-place' || e.reasons.includes(f.reason) ? '' : `: ${f.reason}`;
  const source = f.source && f.class !== 'in-place' ? ` (${f.source.join(', ')})` : '';
  return `${f.path}: ${showValue(f.before)} → ${showValue(f.after)} [${f.class}${why}${source}]`;
};

const summary = (plan: Plan) =>
  `${plan.counts.destroy} destroy, ${plan.counts.stuck} stuck, ${plan.counts.rollout} rollout, ${plan.counts['in-place']} in-place; ${plan.unchanged} objects unchanged`;

const ESTIMATE_NOTE = (plan: Plan) =>
  `Cost is an ESTIMATE in ${plan.prices.currency}/month from list prices entered on ${plan.prices.taken} ` +
  `(${plan.prices.sources.join(', ')})` +
  Object.entries(plan.prices.regional)
    .map(
      ([region, items]) =>
        `; ${region}'s own: ${Object.entries(items)
          .map(([name, p]) => `${name} $${p.value} (${p.source}, ${p.taken})`)
          .join('; ')}`,
    )
    .join('') +
  '; no data transfer, requests or discounts.';

/** One line per region whose items used prices of the fallback region, naming those prices. */
const fallbackNotes = (c: ScopeCost): string[] =>
  Object.entries(c.fallbackPrices).map(
    ([region, names]) =>
      `priced at ${FALLBACK_REGION} rates (no ${region} price found): ${names.join(', ')}; ` +
      `\`npm run prices -- --region ${region} --commands\` shows how to pin them from AWS's price list`,
  );

function costLines(c: ScopeCost): string[] {
  return [
    `estimated monthly cost (min–max tasks): before ${range(c.before)}, after ${range(c.after)}; adds ${range(c.adds)}, removes ${range(c.removes)}`,
    ...c.items.map((i) => `  ${i.label}: ${i.before ? range(i.before) : '—'} → ${i.after ? range(i.after) : '—'}`),
    ...fallbackNotes(c).map((n) => `  ${n}`),
    ...c.unpriced.map((u) => `  not priced: ${u}`),
  ];
}

/** The plan for a terminal: one block per scope, worst change first. */
export function renderText(plan: Plan, allowDestroy: boolean): string {
  const out = [`plan: working tree against ${plan.base}: ${summary(plan)}`];
  if (plan.scopes.length === 0) {
    out.push('no changes');
  }
  for (const s of plan.scopes) {
    out.push('', `== ${scopeTitle(s.scope, s.production)} ==`);
    for (const e of s.entries) {
      out.push(`  ${entryLine(e)}`);
      if (e.action !== 'create') {
        e.reasons.forEach((r) => out.push(`      ${r}`));
      }
      e.fields.forEach((f) => out.push(`      ${fieldLine(f, e)}`));
    }
    const c = plan.cost.find((x) => x.scope === s.scope);
    if (c) {
      out.push(...costLines(c).map((l) => `  ${l}`));
    }
  }
  for (const c of plan.cost.filter((x) => !plan.scopes.some((s) => s.scope === x.scope))) {
    out.push('', `== ${c.scope} ==`, ...costLines(c).map((l) => `  ${l}`));
  }
  out.push('', ESTIMATE_NOTE(plan));
  if (plan.red) {
    out.push(
      allowDestroy
        ? 'RED changes present (destroying stateful or production resources); allowed by --allow-destroy'
        : 'RED changes present (destroying stateful or production resources): failing; rerun with --allow-destroy if intended',
    );
  }
  return `${out.join('\n')}\n`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

/** The plan as a pull-request comment. */
export function renderMarkdown(plan: Plan, allowDestroy: boolean): string {
  const out = [
    `## Plan against \`${plan.base}\``,
    '',
    `${plan.red ? '🔴 **Destroys stateful or production resources.**' : plan.scopes.length === 0 ? 'No changes.' : 'No red changes.'} ${summary(plan)}.`,
  ];
  if (plan.red) {
    out.push(
      '',
      allowDestroy
        ? 'Allowed by `--allow-destroy`.'
        : 'The plan check fails; if this is intended, merge deliberately (`npm run plan -- --allow-destroy` passes).',
    );
  }
  for (const s of plan.scopes) {
    out.push(
      '',
      `### ${scopeTitle(s.scope, s.production)}`,
      '',
      '| class | action | kind | name | why |',
      '|---|---|---|---|---|',
    );
    const created = s.entries.filter((e) => e.action === 'create');
    for (const e of s.entries.filter((x) => x.action !== 'create')) {
      const name = e.from ? `${objectName(e.from)} → ${objectName(e)}` : objectName(e);
      out.push(
        `| ${e.red ? '🔴 ' : ''}${e.class} | ${e.action} | ${cell(e.awsKind ?? e.type)} | ${cell(name)} | ${cell(e.reasons.join('; '))} |`,
      );
    }
    if (created.length > 0) {
      out.push(
        `| ${created[0].class} | create | ${created.length} objects | | see below |`,
        '',
        `<details><summary>${created.length} created</summary>`,
        '',
        ...created.map((e) => `- ${code(`${e.awsKind ?? e.type} ${objectName(e)}`)}`),
        '',
        '</details>',
      );
    }
    const changed = s.entries.filter((e) => e.fields.length > 0);
    if (changed.length > 0) {
      out.push('', '<details><summary>field changes</summary>', '');
      for (const e of changed) {
        out.push(`- ${code(`${e.awsKind ?? e.type} ${objectName(e)}`)}`);
        e.fields.forEach((f) =>
          out.push(
            `  - ${code(f.path)}: ${code(showValue(f.before))} → ${code(showValue(f.after))} — ${f.class}${f.class === 'in-place' ? '' : `: ${f.reason}${f.source ? ` (${f.source.map(code).join(', ')})` : ''}`}`,
          ),
        );
      }
      out.push('', '</details>');
    }
  }
  if (plan.cost.length > 0) {
    out.push(
      '',
      '### Estimated monthly cost (estimate)',
      '',
      '| scope | before | after | adds | removes |',
      '|---|---|---|---|---|',
      ...plan.cost.map(
        (c) => `| ${c.scope} | ${range(c.before)} | ${range(c.after)} | ${range(c.adds)} | ${range(c.removes)} |`,
      ),
      '',
      "Ranges are at the service's minimum–maximum task count.",
    );
    const notes = plan.cost.flatMap((c) => [
      ...fallbackNotes(c).map((n) => `${c.scope}: ${n}`),
      ...c.unpriced.map((u) => `${c.scope}: not priced: ${u}`),
    ]);
    notes.forEach((n) => out.push(`- ${n}`));
  }
  out.push('', `<sub>${ESTIMATE_NOTE(plan)}</sub>`);
  return `${out.join('\n')}\n`;
}

/** The plan as JSON (stable key order as built). */
export function renderJson(plan: Plan): string {
  return `${JSON.stringify({ ...plan, estimate: ESTIMATE_NOTE(plan) }, null, 2)}\n`;
}
