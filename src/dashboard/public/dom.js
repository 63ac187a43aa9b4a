/* global document, Node */
// Everything on the page is built as elements with text nodes, never parsed from HTML, so record
// ids, errors and alert texts (which come from outside) cannot inject markup or script.

const SVG = 'http://www.w3.org/2000/svg';

function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** An HTML element: `h('td', { class: 'n' }, text)`; `on…` attributes are listeners. */
export const h = (tag, attributes, ...children) => build(document.createElement(tag), attributes, children);

/** An SVG element, likewise. */
export const svg = (tag, attributes, ...children) =>
  build(document.createElementNS(SVG, tag), attributes, children);

/** A link target only if it is a web address or a path here: never `javascript:` or the like. */
export const safeHref = (url) =>
  typeof url === 'string' && (/^https?:\/\//i.test(url) || /^\/(?!\/)/.test(url)) ? url : undefined;

/** A link when its address is safe, else the text alone. */
export const link = (url, text, label) =>
  safeHref(url) ? h('a', { href: safeHref(url), 'aria-label': label }, text) : text;
