import type { KnownBlock } from '@slack/types';
import type { RequestView } from '../../service/support/request-view.js';
import { code, codeBlock, escapeMrkdwn, slackDate } from '../mrkdwn.js';
import { context, LIMITS, type SlackMessage, section } from './block-kit.js';
import { escapedList, hostsOf, principalsOf, vendorLabel } from './request-facts.js';

/** Where the holder keeps the certificate: one file per target, so two grants never overwrite each other. */
export function certificatePath(targetName: string): string {
  return `~/.ssh/jumpgate-${targetName}-cert.pub`;
}

/**
 * The DM that hands over access: the certificate, where to save it, and the exact commands.
 * ssh pairs the certificate with the private key of the registered public key, from the agent
 * or the default identity files; the certificate alone is useless to anyone else.
 */
export function grantedNotice(view: RequestView, certificate: string): SlackMessage {
  const { request, target } = view;
  const notAfter = request.grant?.notAfter ?? request.updatedAt;
  const grantId = request.grant?.id ?? request.id;
  const hosts = hostsOf(view);
  const principals = principalsOf(view);
  const host = hosts[0] ?? target.name;
  const principal = principals[0] ?? 'your-user';
  const file = certificatePath(target.name);

  const whom = request.vendor
    ? `The vendor session for ${vendorLabel(request.vendor)} on *${escapeMrkdwn(target.name)}* is granted`
    : `Your access to *${escapeMrkdwn(target.name)}* is granted`;
  const blocks: KnownBlock[] = [
    section(
      `:key: ${whom}, until ${slackDate(notAfter)}.\nHosts: ${escapedList(hosts)} · principals: ${escapedList(principals)}`,
    ),
  ];
  if (request.vendor) {
    // The sponsor passes it on: the vendor's certificate is for the vendor's key, useless to anyone else.
    const shell = view.workflow.vendor?.allowPty === true;
    blocks.push(
      section(
        `The certificate is for ${vendorLabel(request.vendor)}’s own key: send it and the steps below to them. ` +
          `It allows no port, agent or X11 forwarding (so no ${code('ssh -L')} and no ${code('ssh -J')})` +
          `${shell ? '' : `, and no interactive shell: the vendor runs one command at a time (${code(`ssh … ${principal}@${host} <command>`)})`}.`,
      ),
      section(`*1.* Save this certificate as ${code(file)}, next to the vendor’s private key:`),
      certificateBlock(certificate),
      section(`*2.* Connect to the jump server:\n${codeBlock(`ssh -o CertificateFile=${file} ${principal}@${host}`)}`),
      context(
        `Vendor session grant ${code(grantId)} · ends ${slackDate(notAfter)} by itself (so does the certificate) · ` +
          `end it early with ${code(`/jump revoke ${grantId}`)}`,
      ),
    );
    return {
      text: `Vendor session for ${vendorLabel(request.vendor)} on ${escapeMrkdwn(target.name)} granted until ${slackDate(notAfter)}`,
      blocks,
    };
  }
  blocks.push(
    section(`*1.* Save this certificate as ${code(file)}:`),
    certificateBlock(certificate),
    section(`*2.* Connect to the jump server:\n${codeBlock(`ssh -o CertificateFile=${file} ${principal}@${host}`)}`),
    section(
      `*3.* To go further, to a host behind it, jump through it. ssh reads a jump host’s options only ` +
        `from ${code('~/.ssh/config')}, so add this there first:\n` +
        codeBlock(`Host ${host}\n  User ${principal}\n  CertificateFile ${file}`) +
        `\nthen: ${codeBlock(`ssh -J ${principal}@${host} <user>@<host-behind-it>`)}`,
    ),
    context(
      `Grant ${code(grantId)} · ends ${slackDate(notAfter)} by itself (so does the certificate) · ` +
        `end it early with ${code(`/jump revoke ${grantId}`)}`,
    ),
  );
  return {
    text: `Access to ${escapeMrkdwn(target.name)} granted until ${slackDate(notAfter)}`,
    blocks,
  };
}

/**
 * The certificate, whole or not at all: a cut certificate is worse than none. An RSA key far
 * beyond the usual sizes can make it longer than a Block Kit section holds.
 */
function certificateBlock(certificate: string): KnownBlock {
  const block = codeBlock(certificate.trim());
  if (block.length <= LIMITS.sectionText) return section(block);
  return section(
    ':warning: The certificate is too long to show in Slack. Ask an operator for it, or register a shorter key ' +
      `(${code('ssh-keygen -t ed25519')}) with ${code('/jump key')} and request again.`,
  );
}
