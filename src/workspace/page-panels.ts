import type { Policy } from '../domain/workflow.js';
import type { DemoDirectory } from './demo-directory.js';
import type { LocalIncidents } from './local-incidents.js';
import { escapeHtml } from './render/html.js';

/** The incident panel: who is on call for each escalation policy, and the incidents of each service. */
export function incidentPanelHtml(policy: Policy, directory: DemoDirectory, incidents: LocalIncidents): string {
  const pagerduty = policy.workflows.flatMap((w) =>
    w.access.autoApprove?.pagerduty ? [w.access.autoApprove.pagerduty] : [],
  );
  const policies = [...new Set(pagerduty.flatMap((p) => p.escalationPolicies))];
  const services = [...new Set(pagerduty.flatMap((p) => p.services))];
  if (policies.length === 0 && services.length === 0) return '<p>No workflow uses PagerDuty.</p>';
  const onCall = incidents.onCallNow();
  const people = (selected: string | undefined) =>
    `<option value="">nobody</option>${directory.people
      .map(
        (p) =>
          `<option value="${escapeHtml(p.id)}"${p.id === selected ? ' selected' : ''}>${escapeHtml(p.name)}</option>`,
      )
      .join('')}`;
  const oncallRows = policies
    .map(
      (id) =>
        `<label class="row">On call for <code>${escapeHtml(id)}</code> <select data-oncall="${escapeHtml(id)}">${people(onCall.get(id))}</select></label>`,
    )
    .join('');
  const all = incidents.all();
  const serviceRows = services
    .map((service) => {
      const open = all.filter((i) => i.serviceId === service);
      const list = open
        .map(
          (i) =>
            `<li class="incident ${i.status}">#${i.number} ${escapeHtml(i.title)} <em>${i.status}</em>${
              i.status === 'resolved'
                ? ''
                : ` <button class="btn small" data-resolve="${escapeHtml(i.id)}">Resolve</button>`
            }${i.notes.map((n) => `<div class="note">note: ${escapeHtml(n)}</div>`).join('')}</li>`,
        )
        .join('');
      return `<div class="service"><code>${escapeHtml(service)}</code> <button class="btn small" data-open-incident="${escapeHtml(
        service,
      )}">Open an incident</button><ul>${list}</ul></div>`;
    })
    .join('');
  return `${oncallRows}${serviceRows}`;
}

/** The SSH panel: make or paste a key, and what a test bastion needs (the CA key and the KRL). */
export function sshPanelHtml(input: { caPublicKey: string; baseUrl: string }): string {
  const ca = escapeHtml(input.caPublicKey.trim());
  const base = input.baseUrl;
  const sshd = [
    'TrustedUserCAKeys /etc/ssh/jumpgate/ca.pub',
    'RevokedKeys /etc/ssh/jumpgate/revoked.krl',
    'AuthorizedPrincipalsFile /etc/ssh/auth_principals/%u',
    'LogLevel VERBOSE',
  ].join('\n');
  const fetches = [
    'mkdir -p /etc/ssh/jumpgate /etc/ssh/auth_principals',
    `curl -fsS ${base}/v1/ca.pub > /etc/ssh/jumpgate/ca.pub`,
    `curl -fsS ${base}/v1/krl > /etc/ssh/jumpgate/revoked.krl`,
  ].join('\n');
  const block = (text: string) =>
    `<div class="code"><pre>${text}</pre><button class="copy" data-copy>Copy</button></div>`;
  return `<p>Your SSH key: the certificate the bot sends is for it.</p>
<button class="btn primary" data-keygen>Generate a key for me</button>
<details><summary>or paste a public key</summary><textarea data-paste-key placeholder="ssh-ed25519 AAAA… you@laptop"></textarea><button class="btn" data-register-key>Register it</button></details>
<h4>A test bastion</h4><p>The CA's public key (<code>/v1/ca.pub</code>):</p>${block(ca)}
<p>sshd_config:</p>${block(escapeHtml(sshd))}<p>Fetch the key and the KRL:</p>${block(escapeHtml(fetches))}`;
}
