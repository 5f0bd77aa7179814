// A few 16×16 stroke icons drawn as inline SVG (no icon font or remote resource under the panel's CSP).

import { s } from './dom';

const PATHS = {
  chevron: 'M6 4l4 4-4 4',
  play: 'M5 3.5v9l7-4.5z',
  compare: 'M4 2.5v11M4 5.5c0 3 8 2 8 5v3M12 2.5v3',
  export: 'M8 2.5v7.5M5 7l3 3 3-3M3 12.5h10',
  error: 'M8 1.8a6.2 6.2 0 1 0 0 12.4A6.2 6.2 0 0 0 8 1.8zM6 6l4 4M10 6l-4 4',
  warning: 'M8 2L14.5 13.5h-13zM8 6.5v3.2M8 11.4v.2',
  info: 'M8 1.8a6.2 6.2 0 1 0 0 12.4A6.2 6.2 0 0 0 8 1.8zM8 7.2v4M8 5v.2',
  check: 'M3.5 8.5l3 3 6-7',
  source: 'M6 4L2.5 8 6 12M10 4l3.5 4-3.5 4',
} as const;

export type IconName = keyof typeof PATHS;

/** An icon that inherits the text colour (stroke: currentColor via the .icon class). */
export function icon(name: IconName, extraClass?: string): SVGSVGElement {
  return s(
    'svg',
    { class: ['icon', `icon-${name}`, extraClass], attrs: { viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true', focusable: 'false' } },
    s('path', { attrs: { d: PATHS[name] } }),
  );
}
