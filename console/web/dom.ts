/** Small DOM helpers the page's views share: elements with attributes and text, and tables. */

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

export const time = (iso: string | number) => new Date(iso).toLocaleTimeString();

export const dateTime = (iso: string | number | undefined) =>
  iso === undefined || iso === ''
    ? ''
    : new Date(iso)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');

/** A table with a header row; each row is its cells' text and the attributes of its `tr`. */
export function table(
  columns: readonly string[],
  rows: ReadonlyArray<{
    readonly cells: readonly (Node | string)[];
    readonly attributes?: Record<string, string>;
  }>,
  attributes: Record<string, string> = {},
): HTMLTableElement {
  const node = element('table', attributes);
  const head = element('tr');
  for (const column of columns) head.append(element('th', {}, column));
  node.createTHead().append(head);
  const body = node.createTBody();
  for (const row of rows) {
    const tr = element('tr', row.attributes);
    for (const cell of row.cells) {
      const td = element('td');
      td.append(cell);
      tr.append(td);
    }
    body.append(tr);
  }
  return node;
}

/** A coloured state, as CloudWatch's and ELB's consoles show one. */
export function badge(state: string | undefined): HTMLElement {
  return element('span', { class: 'badge', 'data-state': state ?? '' }, state ?? 'missing');
}
