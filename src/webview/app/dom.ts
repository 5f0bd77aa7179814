// Small DOM builders (createElement/createElementNS, text only via textContent): trace data is never parsed as HTML.

type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string | Array<string | false | null | undefined>;
  /** Attributes set with setAttribute (never `style` or `on*`: the CSP forbids those; use classes and listeners). */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  text?: string;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (ev: HTMLElementEventMap[K]) => void }>;
}

function classText(c: Props['class']): string {
  return Array.isArray(c) ? c.filter(Boolean).join(' ') : (c ?? '');
}

function apply(el: Element, props: Props | undefined, children: readonly Child[]): void {
  if (props) {
    const cls = classText(props.class);
    if (cls) el.setAttribute('class', cls);
    for (const [k, v] of Object.entries(props.attrs ?? {})) {
      if (v === null || v === undefined || v === false) continue;
      el.setAttribute(k, v === true ? '' : String(v));
    }
    if (props.text !== undefined) el.textContent = props.text;
    for (const [type, fn] of Object.entries(props.on ?? {})) el.addEventListener(type, fn as EventListener);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Creates an HTML element: h('button', { class: 'primary', on: { click } }, 'Run'). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, props, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element; numeric attributes are rounded to 0.1 px to keep the markup small. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  const attrs = props?.attrs && Object.fromEntries(Object.entries(props.attrs).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 10) / 10 : v]));
  apply(el, props && { ...props, attrs }, children);
  return el;
}

/** An SVG <title> child: the accessible name and hover tooltip of a chart mark. */
export function svgTitle(text: string): SVGTitleElement {
  return s('title', { text });
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  apply(el, undefined, children);
}

/** A button that runs `onClick`, optionally with a leading icon; `title` doubles as its tooltip. */
export function button(label: string, onClick: () => void, opts: { class?: string; title?: string; icon?: SVGElement } = {}): HTMLButtonElement {
  return h(
    'button',
    { class: ['btn', opts.class], attrs: { type: 'button', title: opts.title }, on: { click: () => onClick() } },
    opts.icon ?? null,
    h('span', { text: label }),
  );
}

/** Measures text with a canvas in the font of a class, for layouts computed before the SVG is in the page. */
export function textMeasurer(host: Element): (text: string, font: 'title' | 'detail' | 'mono') => number {
  const ctx = document.createElement('canvas').getContext('2d');
  const fonts = new Map<string, string>();
  const fontOf = (kind: string): string => {
    let f = fonts.get(kind);
    if (!f) {
      // A throw-away SVG text with the real class gives the computed font the stylesheet assigns.
      const probe = s('svg', { class: 'measure-probe' }, s('text', { class: `node-${kind}` }, 'x'));
      host.append(probe);
      const cs = getComputedStyle(probe.firstChild as Element);
      f = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      probe.remove();
      fonts.set(kind, f);
    }
    return f;
  };
  return (text, kind) => {
    if (!ctx) return text.length * 7;
    ctx.font = fontOf(kind);
    return Math.ceil(ctx.measureText(text).width);
  };
}
