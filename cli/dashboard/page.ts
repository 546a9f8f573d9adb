import { PAGE_STYLE } from '../report-html.js';
import { escapeHtml as h } from '../svg-chart.js';

/** How often the page asks for fresh state, ms (polling: a rollout's record changes about once a second). */
export const POLL_MS = 1000;

/*
 * The page's own script: polls the JSON endpoints and redraws. Values from the state are put in
 * with textContent; the timeline and charts come from the server already escaped (SVG inline).
 */
const SCRIPT = `
const $ = (s) => document.querySelector(s);
let selected = null;
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
function checkText(c) { return (c.passed ? '✓ ' : '✗ ') + c.name + ' ' + (c.value ?? '—') + (c.unit ?? '') + (c.threshold !== null ? ' (threshold ' + c.threshold + (c.unit ?? '') + ')' : ''); }
function progressText(r) {
  if (!r) return '';
  const where = r.phaseCount === 0 ? 'starting' : 'phase ' + r.phaseNumber + '/' + r.phaseCount + (r.phase ? ' ' + r.phase : '');
  const step = r.step ? ', step ' + r.step.number + (r.step.count ? '/' + r.step.count : '') + (r.step.weight !== null ? ' at ' + r.step.weight + ' %' : '') : '';
  return 'rollout ' + r.id + ' of ' + r.version + ': ' + where + step + (r.rollingBack ? ', failed: rolling back' : '');
}
function lastText(l) { return l ? l.status + ' ' + l.version + ' (' + l.startedAt + ')' + (l.reason ? ': ' + l.reason : '') : '—'; }
async function drawList() {
  const envs = await (await fetch('/api/environments')).json();
  const body = $('#envs tbody'); body.replaceChildren();
  for (const v of envs) {
    const tr = el('tr'); tr.dataset.env = v.environment; tr.className = 'env' + (v.environment === selected ? ' sel' : '');
    tr.append(el('td', v.environment), el('td', v.serving.version ?? 'nothing serves'), el('td', v.serving.url ?? ''),
      el('td', v.serving.version ? (v.serving.healthy ? 'healthy' : 'NOT healthy') : '', v.serving.healthy ? 'passed' : 'failed'),
      el('td', v.rollout ? progressText(v.rollout) : lastText(v.last), v.rollout ? 'running' : (v.last ? v.last.status : '')));
    tr.onclick = () => { selected = v.environment; tick(); };
    body.append(tr);
  }
  if (!selected && envs.length) selected = (envs.find((v) => v.rollout) ?? envs[0]).environment;
  $('#empty').hidden = envs.length > 0;
}
async function drawPanel() {
  if (!selected) { $('#panel').hidden = true; return; }
  const p = await (await fetch('/api/environments/' + encodeURIComponent(selected))).json();
  $('#panel').hidden = false;
  $('#panel-title').textContent = selected;
  const r = p.view.rollout;
  $('#progress').textContent = r ? progressText(r) : (p.view.last ? 'last rollout: ' + lastText(p.view.last) : 'no rollouts yet');
  $('#progress').className = r ? 'running' : '';
  const checks = $('#checks'); checks.replaceChildren();
  for (const c of (r ? r.checks : [])) checks.append(el('li', checkText(c), c.passed ? 'passed' : 'failed'));
  $('#waiting').textContent = r && r.waitingSince ? 'waiting for approval since ' + r.waitingSince + ', approve with: ' + r.approveWith : '';
  $('#approve').disabled = !(r && r.waitingSince);
  $('#abort').disabled = !r;
  $('#timeline').innerHTML = p.timelineHtml;
  $('#cost').innerHTML = p.costHtml;
  $('#charts').innerHTML = p.chartsHtml || '<p class="muted">no bake samples yet</p>';
  const hb = $('#history tbody'); hb.replaceChildren();
  for (const row of p.history) {
    const tr = el('tr');
    tr.append(el('td', row.id), el('td', row.version), el('td', row.previousVersion ?? '-'), el('td', row.status, row.status),
      el('td', row.startedAt), el('td', row.durationMs === null ? '-' : Math.round(row.durationMs / 1000) + ' s'),
      el('td', row.failedCheck ? checkText(row.failedCheck) : (row.reason ?? '')));
    hb.append(tr);
  }
}
async function act(action) {
  if (!selected) return;
  const env = selected;
  const body = action === 'abort' ? { reason: ($('#reason').value || 'aborted from the dashboard') } : {};
  $('#result').textContent = action + ' ' + env + '…';
  const res = await fetch('/api/environments/' + encodeURIComponent(env) + '/' + action, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const r = await res.json();
  $('#result').textContent = (res.ok ? '✓ ' : '✗ ') + (r.command ? 'ml-rollout ' + r.command.slice(1).join(' ') : action) + ': ' + ((r.stdout || '') + (r.stderr || '') || r.error || '').trim();
  $('#result').dataset.code = String(r.code ?? '');
  tick();
}
let busy = false;
async function tick() {
  if (busy) return; busy = true;
  try { await drawList(); await drawPanel(); $('#updated').textContent = 'updated ' + new Date().toLocaleTimeString(); }
  catch (e) { $('#updated').textContent = 'cannot reach the dashboard: ' + e.message; }
  finally { busy = false; }
}
$('#approve').onclick = () => act('approve');
$('#abort').onclick = () => act('abort');
tick(); setInterval(tick, ${POLL_MS});
`;

const EXTRA_STYLE = `tr.env{cursor:pointer}tr.sel{background:#eaf2f8}#panel{margin-top:16px}button{margin-right:8px;padding:4px 12px}
#checks{list-style:none;padding-left:8px}h3{font-size:14px;margin:8px 0 4px}`;

/** The dashboard's one page: self-contained, its script and style inline. */
export function dashboardPage(bin: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ml-rollout dashboard</title>
<style>${PAGE_STYLE}${EXTRA_STYLE}</style></head>
<body>
<h1>ml-rollout dashboard <span class="muted" id="updated"></span></h1>
<table id="envs"><thead><tr><th>environment</th><th>serves</th><th>url</th><th>health</th><th>rollout / last outcome</th></tr></thead><tbody></tbody></table>
<p id="empty" class="muted" hidden>No environments yet: deploy one with ${h(bin)} deploy &lt;bundle&gt;.</p>
<section id="panel" hidden>
<h2 id="panel-title"></h2>
<p id="progress"></p>
<ul id="checks"></ul>
<p id="waiting" class="running"></p>
<p><button id="approve" disabled>Approve</button><button id="abort" disabled>Abort</button>
<input id="reason" placeholder="why abort (optional)" size="32"></p>
<p id="result" class="muted"></p>
<div id="cost"></div>
<div id="timeline"></div>
<div id="charts"></div>
<h2>History</h2>
<table id="history"><thead><tr><th>rollout</th><th>version</th><th>previous</th><th>status</th><th>started</th><th>took</th><th>failed check</th></tr></thead><tbody></tbody></table>
</section>
<script>${SCRIPT}</script>
</body></html>
`;
}
