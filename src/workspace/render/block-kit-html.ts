import { escapeHtml, type RenderContext } from './html.js';
import { mrkdwnToHtml } from './mrkdwn-html.js';

/*
 * Block Kit as HTML: the blocks the bot sends (header, section with text, fields and accessory,
 * context, divider, actions, image, input) and their elements (buttons with their styles and
 * confirmation dialogs, plain-text inputs, static selects, checkboxes). Blocks come from the
 * bot as JSON, so every field is read defensively; every string is escaped or rendered as
 * mrkdwn (which escapes). An unknown block shows as a note, never as raw content.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

/** A text object: mrkdwn is rendered, plain_text escaped. */
export function textObject(value: unknown, context: RenderContext): string {
  if (!isObject(value)) return '';
  return value.type === 'mrkdwn' ? mrkdwnToHtml(str(value.text), context) : escapeHtml(str(value.text));
}

export function blocksToHtml(
  blocks: readonly unknown[],
  context: RenderContext,
  errors: Record<string, string> = {},
): string {
  return blocks.map((block) => blockToHtml(block, context, errors)).join('');
}

function blockToHtml(block: unknown, context: RenderContext, errors: Record<string, string>): string {
  if (!isObject(block)) return '';
  const blockId = str(block.block_id);
  switch (block.type) {
    case 'header':
      return `<div class="b-header">${textObject(block.text, context)}</div>`;
    case 'divider':
      return '<hr class="b-divider">';
    case 'section': {
      const text = block.text ? `<div class="b-text">${textObject(block.text, context)}</div>` : '';
      const fields = list(block.fields);
      const grid = fields.length
        ? `<div class="b-fields">${fields.map((f) => `<div class="b-field">${textObject(f, context)}</div>`).join('')}</div>`
        : '';
      const accessory = isObject(block.accessory)
        ? `<div class="b-accessory">${elementToHtml(block.accessory, blockId, context)}</div>`
        : '';
      return `<div class="b-section"><div class="b-main">${text}${grid}</div>${accessory}</div>`;
    }
    case 'context':
      return `<div class="b-context">${list(block.elements)
        .map((e) => (isObject(e) && e.type === 'image' ? image(e) : `<span>${textObject(e, context)}</span>`))
        .join('')}</div>`;
    case 'actions':
      return `<div class="b-actions" data-block-id="${escapeHtml(blockId)}">${list(block.elements)
        .map((e) => elementToHtml(e, blockId, context))
        .join('')}</div>`;
    case 'image': {
      const title = block.title ? `<div class="b-image-title">${textObject(block.title, context)}</div>` : '';
      return `<figure class="b-image">${title}${image(block)}</figure>`;
    }
    case 'input':
      return inputBlock(block, context, errors[blockId]);
    default:
      return `<div class="b-unknown">(a ${escapeHtml(str(block.type) || 'block')} block this page does not show)</div>`;
  }
}

function image(element: Json): string {
  const url = str(element.image_url);
  if (!/^https?:\/\//i.test(url)) return `<span class="b-image-alt">${escapeHtml(str(element.alt_text))}</span>`;
  return `<img src="${escapeHtml(url)}" alt="${escapeHtml(str(element.alt_text))}" loading="lazy">`;
}

function elementToHtml(element: unknown, blockId: string, context: RenderContext): string {
  if (!isObject(element)) return '';
  if (element.type === 'button') {
    const style = element.style === 'primary' || element.style === 'danger' ? ` ${element.style}` : '';
    const confirm = isObject(element.confirm)
      ? ` data-confirm="${escapeHtml(
          JSON.stringify({
            title: plain(element.confirm.title),
            text: plain(element.confirm.text),
            confirm: plain(element.confirm.confirm) || 'Confirm',
            deny: plain(element.confirm.deny) || 'Cancel',
          }),
        )}"`
      : '';
    return `<button class="btn${style}" data-action-id="${escapeHtml(str(element.action_id))}" data-block-id="${escapeHtml(
      blockId,
    )}" data-value="${escapeHtml(str(element.value))}"${confirm}>${textObject(element.text, context)}</button>`;
  }
  if (element.type === 'image') return image(element);
  return `<span class="b-unknown">(${escapeHtml(str(element.type) || 'element')})</span>`;
}

function plain(value: unknown): string {
  return isObject(value) ? str(value.text) : '';
}

/** An input of a modal: label, element, hint, and the error Bolt's ack gave for this block. */
function inputBlock(block: Json, context: RenderContext, error: string | undefined): string {
  const blockId = escapeHtml(str(block.block_id));
  const element = isObject(block.element) ? block.element : {};
  const actionId = escapeHtml(str(element.action_id));
  const optional = block.optional === true ? ' <span class="optional">(optional)</span>' : '';
  const data = `data-input data-block-id="${blockId}" data-action-id="${actionId}" data-type="${escapeHtml(str(element.type))}"`;
  const placeholder = plain(element.placeholder);
  let control: string;
  switch (element.type) {
    case 'plain_text_input': {
      const max = typeof element.max_length === 'number' ? ` maxlength="${element.max_length}"` : '';
      const attrs = `${data} name="${blockId}" placeholder="${escapeHtml(placeholder)}"${max}`;
      const initial = escapeHtml(str(element.initial_value));
      control =
        element.multiline === true
          ? `<textarea ${attrs}>${initial}</textarea>`
          : `<input type="text" ${attrs} value="${initial}">`;
      break;
    }
    case 'static_select':
      control = `<select ${data} name="${blockId}"><option value="">${escapeHtml(placeholder || 'Choose…')}</option>${list(
        element.options,
      )
        .map((o) =>
          isObject(o) ? `<option value="${escapeHtml(str(o.value))}">${escapeHtml(plain(o.text))}</option>` : '',
        )
        .join('')}</select>`;
      break;
    case 'checkboxes':
      control = `<div ${data} class="checks">${list(element.options)
        .map((o) =>
          isObject(o)
            ? `<label><input type="checkbox" value="${escapeHtml(str(o.value))}"> ${textObject(o.text, context)}</label>`
            : '',
        )
        .join('')}</div>`;
      break;
    default:
      control = `<span class="b-unknown">(${escapeHtml(str(element.type) || 'input')})</span>`;
  }
  const hint = block.hint ? `<div class="hint">${textObject(block.hint, context)}</div>` : '';
  const problem = error ? `<div class="field-error" role="alert">${escapeHtml(error)}</div>` : '';
  return `<div class="b-input${error ? ' has-error' : ''}"><span class="label">${textObject(
    block.label,
    context,
  )}${optional}</span>${control}${hint}${problem}</div>`;
}
