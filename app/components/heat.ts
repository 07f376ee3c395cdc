// A heat-map cell's colours: a blue whose strength follows the count, and the text colour (near-black
// or white) that reads best on it, so every cell meets WCAG's 4.5:1 contrast (axe-core checks it).
const BLUE = [0, 91, 211] as const;
const DARK = [26, 26, 26] as const;
const WHITE = [255, 255, 255] as const;

function luminance([r, g, b]: readonly number[]): number {
  const channel = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}

export function contrast(a: readonly number[], b: readonly number[]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** `heat` from 0 (none) to 1 (the fullest cell). */
export function heatColors(heat: number): { background: string; color: string; contrast: number } {
  // Two ramps: a blue with dark text up to 0.6, then a deep blue with white. In between lies a band of
  // blues on which neither dark nor white text reaches 4.5:1; the ramp steps over it.
  const h = Math.min(1, Math.max(0, heat));
  const alpha = h <= 0.6 ? 0.08 + 0.62 * (h / 0.6) : 0.88 + 0.12 * ((h - 0.6) / 0.4);
  // The blue over the white card, as the browser composes it.
  const background = BLUE.map((c) => Math.round(255 * (1 - alpha) + c * alpha));
  const onDark = contrast(background, WHITE);
  const onLight = contrast(background, DARK);
  const text = onDark > onLight ? WHITE : DARK;
  return {
    background: `rgb(${background.join(", ")})`,
    color: `rgb(${text.join(", ")})`,
    contrast: Math.max(onDark, onLight),
  };
}
