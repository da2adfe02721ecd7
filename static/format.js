// The one number formatter of the page: NaN and ±Infinity never reach the screen.

export const MISSING = "—";

// 3 significant digits; exponent form below 1e-3 and from 1e4 up ("1.2e-5", "4.5e4").
// Trailing zeros are dropped: 0.0100 -> "0.01".
export function fmt(value, digits = 3) {
  if (typeof value !== "number" || !Number.isFinite(value)) return MISSING;
  if (value === 0) return "0";
  const magnitude = Math.abs(Number(value.toPrecision(digits))); // 9999.7 counts as 1e4
  if (magnitude < 1e-3 || magnitude >= 1e4) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split("e");
    return `${trimZeros(mantissa)}e${Number(exponent)}`;
  }
  // toPrecision alone would write 1234.5 as "1.23e+3": fixed notation up to 1e4, as stated.
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(magnitude)));
  return trimZeros(Number(value.toPrecision(digits)).toFixed(decimals));
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

// Whole numbers (step counts).
export function fmtCount(value) {
  return Number.isFinite(value) ? String(Math.round(value)) : MISSING;
}
