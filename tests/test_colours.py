"""Every eye: the optimizers' colours stay apart in normal vision and under colour-vision
deficiency simulation, and read against the page's dark theme.

The colours are read from static/config.js (OPTIMIZER_COLORS), so the page and this test
cannot disagree. numpy only:

- sRGB (IEC 61966-2-1) → linear RGB → XYZ (D65) → CIELAB;
- CIEDE2000 as written by Sharma, Wu & Dalal (2005), "The CIEDE2000 Color-Difference
  Formula: Implementation Notes, Supplementary Test Data, and Mathematical Observations",
  checked here against the paper's 34 published test pairs;
- Machado, Oliveira & Fernandes (2009) CVD simulation at severity 1.0 (protanopia,
  deuteranopia, tritanopia), applied to linear RGB, clipped to the gamut;
- WCAG 2 relative luminance and contrast ratio.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

import optimizers
import rendering

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "static" / "config.js"

# The page's darkest surface: the trails' halo and the page background behind the legend.
DARK = "#0c0e14"
MIN_DELTA_E = 15.0
MIN_CONTRAST = 4.5  # WCAG AA for text: the colours also write labels (a ball that left the view)

# --- colour science -------------------------------------------------------------------

# sRGB primaries, D65 white (IEC 61966-2-1).
RGB_TO_XYZ = np.array([
    [0.4124564, 0.3575761, 0.1804375],
    [0.2126729, 0.7151522, 0.0721750],
    [0.0193339, 0.1191920, 0.9503041],
])
WHITE_D65 = RGB_TO_XYZ @ np.ones(3)

# Machado, Oliveira & Fernandes 2009, Table 1, severity 1.0 (for linear RGB).
CVD = {
    "protanopia": np.array([
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]),
    "deuteranopia": np.array([
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]),
    "tritanopia": np.array([
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ]),
}
VISIONS = ["normal", *CVD]


def hex_to_srgb(text: str) -> np.ndarray:
    """'#rrggbb' → sRGB in [0, 1]."""
    text = text.lstrip("#")
    return np.array([int(text[i:i + 2], 16) for i in (0, 2, 4)]) / 255.0


def srgb_to_linear(c) -> np.ndarray:
    c = np.asarray(c, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_lab(rgb) -> np.ndarray:
    xyz = np.asarray(rgb, dtype=float) @ RGB_TO_XYZ.T / WHITE_D65
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def simulate(linear_rgb, vision: str) -> np.ndarray:
    """Linear RGB as seen with ``vision`` (Machado 2009, severity 1), clipped to [0, 1]."""
    if vision == "normal":
        return np.asarray(linear_rgb, dtype=float)
    return np.clip(np.asarray(linear_rgb, dtype=float) @ CVD[vision].T, 0.0, 1.0)


def ciede2000(lab1, lab2) -> np.ndarray:
    """CIEDE2000 ΔE (kL = kC = kH = 1), following Sharma et al. 2005 step by step."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=float), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=float), -1, 0)
    # 1. C'i, h'i
    C1, C2 = np.hypot(a1, b1), np.hypot(a2, b2)
    Cbar7 = ((C1 + C2) / 2) ** 7
    G = 0.5 * (1 - np.sqrt(Cbar7 / (Cbar7 + 25.0 ** 7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.where((a1p == 0) & (b1 == 0), 0.0, np.degrees(np.arctan2(b1, a1p)) % 360)
    h2p = np.where((a2p == 0) & (b2 == 0), 0.0, np.degrees(np.arctan2(b2, a2p)) % 360)
    # 2. ΔL', ΔC', ΔH'
    dLp = L2 - L1
    dCp = C2p - C1p
    prod = C1p * C2p
    dh = h2p - h1p
    dhp = np.where(prod == 0, 0.0, np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh)))
    dHp = 2 * np.sqrt(prod) * np.sin(np.radians(dhp) / 2)
    # 3. the weighting functions
    Lbarp = (L1 + L2) / 2
    Cbarp = (C1p + C2p) / 2
    hsum = h1p + h2p
    hbarp = np.where(prod == 0, hsum,
                     np.where(np.abs(h1p - h2p) <= 180, hsum / 2,
                              np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2)))
    T = (1 - 0.17 * np.cos(np.radians(hbarp - 30)) + 0.24 * np.cos(np.radians(2 * hbarp))
         + 0.32 * np.cos(np.radians(3 * hbarp + 6)) - 0.20 * np.cos(np.radians(4 * hbarp - 63)))
    dtheta = 30 * np.exp(-(((hbarp - 275) / 25) ** 2))
    Cbarp7 = Cbarp ** 7
    RC = 2 * np.sqrt(Cbarp7 / (Cbarp7 + 25.0 ** 7))
    SL = 1 + 0.015 * (Lbarp - 50) ** 2 / np.sqrt(20 + (Lbarp - 50) ** 2)
    SC = 1 + 0.045 * Cbarp
    SH = 1 + 0.015 * Cbarp * T
    RT = -np.sin(np.radians(2 * dtheta)) * RC
    return np.sqrt((dLp / SL) ** 2 + (dCp / SC) ** 2 + (dHp / SH) ** 2 + RT * (dCp / SC) * (dHp / SH))


def relative_luminance(srgb) -> float:
    r, g, b = srgb_to_linear(srgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(srgb1, srgb2) -> float:
    l1, l2 = sorted([relative_luminance(srgb1), relative_luminance(srgb2)], reverse=True)
    return (l1 + 0.05) / (l2 + 0.05)


def page_colours() -> dict[str, str]:
    """OPTIMIZER_COLORS as written in static/config.js."""
    block = re.search(r"export const OPTIMIZER_COLORS = \{(.*?)\};", CONFIG.read_text(), re.S)
    assert block, "OPTIMIZER_COLORS not found in static/config.js"
    return dict(re.findall(r"^\s*(\w+)\s*:\s*\"(#[0-9a-fA-F]{6})\"", block.group(1), re.M))


def page_list(name: str) -> dict[str, str]:
    """An {key: "string"} constant of static/config.js (OPTIMIZER_DASHES, OPTIMIZER_SHAPES)."""
    block = re.search(rf"export const {name} = \{{(.*?)\}};", CONFIG.read_text(), re.S)
    assert block, f"{name} not found in static/config.js"
    return dict(re.findall(r"^\s*(\w+)\s*:\s*(\[[^\]]*\]|\"[^\"]*\")", block.group(1), re.M))


def pairwise_delta_e(colours: dict[str, str], vision: str) -> dict[tuple[str, str], float]:
    labs = {k: linear_to_lab(simulate(srgb_to_linear(hex_to_srgb(v)), vision)) for k, v in colours.items()}
    return {(a, b): float(ciede2000(labs[a], labs[b])) for a, b in itertools.combinations(colours, 2)}


# --- the reference data ---------------------------------------------------------------

# Sharma, Wu & Dalal 2005, Table 1: (L1, a1, b1), (L2, a2, b2), ΔE00, all 34 pairs.
SHARMA_PAIRS = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA_PAIRS)
def test_ciede2000_matches_sharma_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=5e-5)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=5e-5)  # symmetric


def test_ciede2000_vectorised_equals_one_by_one():
    lab1 = np.array([p[0] for p in SHARMA_PAIRS])
    lab2 = np.array([p[1] for p in SHARMA_PAIRS])
    np.testing.assert_allclose(ciede2000(lab1, lab2), [p[2] for p in SHARMA_PAIRS], atol=5e-5)


@pytest.mark.parametrize("hex_colour, lab", [
    # Reference values (D65, 2°) as given by Bruce Lindbloom's calculator.
    ("#ffffff", (100.0, 0.0, 0.0)),
    ("#000000", (0.0, 0.0, 0.0)),
    ("#ff0000", (53.2408, 80.0925, 67.2032)),
    ("#00ff00", (87.7347, -86.1827, 83.1793)),
    ("#0000ff", (32.2970, 79.1875, -107.8602)),
    ("#808080", (53.5850, 0.0, 0.0)),
])
def test_srgb_to_lab(hex_colour, lab):
    np.testing.assert_allclose(linear_to_lab(srgb_to_linear(hex_to_srgb(hex_colour))), lab, atol=2e-3)


def test_machado_matrices_keep_white_white_and_fold_the_confusion_axis():
    # Each row sums to 1: greys are seen as they are.
    for name, m in CVD.items():
        np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=1e-5, err_msg=name)
    # The textbook confusions: red/green collapse for protan and deutan, blue/green for tritan.
    red, green = srgb_to_linear(hex_to_srgb("#ff4040")), srgb_to_linear(hex_to_srgb("#40a040"))
    for vision in ("protanopia", "deuteranopia"):
        hue = lambda lab: np.degrees(np.arctan2(lab[2], lab[1])) % 360  # noqa: E731
        h1, h2 = hue(linear_to_lab(simulate(red, vision))), hue(linear_to_lab(simulate(green, vision)))
        assert abs(h1 - h2) < 30, vision  # both end up on the yellow-brown side
    blue, green = hex_to_srgb("#3060ff"), hex_to_srgb("#30c0a0")
    normal = ciede2000(linear_to_lab(srgb_to_linear(blue)), linear_to_lab(srgb_to_linear(green)))
    tritan = ciede2000(linear_to_lab(simulate(srgb_to_linear(blue), "tritanopia")),
                       linear_to_lab(simulate(srgb_to_linear(green), "tritanopia")))
    assert tritan < normal


def test_contrast_ratio_matches_wcag_examples():
    assert contrast_ratio(hex_to_srgb("#ffffff"), hex_to_srgb("#000000")) == pytest.approx(21.0)
    assert contrast_ratio(hex_to_srgb("#777777"), hex_to_srgb("#ffffff")) == pytest.approx(4.48, abs=0.01)


# --- the page's colours ---------------------------------------------------------------

def test_every_page_optimizer_has_a_colour_a_dash_and_a_shape():
    keys = optimizers.names()
    assert sorted(page_colours()) == sorted(keys)
    dashes, shapes = page_list("OPTIMIZER_DASHES"), page_list("OPTIMIZER_SHAPES")
    assert sorted(dashes) == sorted(keys) and sorted(shapes) == sorted(keys)
    assert len(set(dashes.values())) == len(keys), "two optimizers share a dash pattern"
    assert len(set(shapes.values())) == len(keys), "two optimizers share an end-marker shape"


# The Show control's groups: the card's six with seed 001's two escape methods (the page
# before issue 10, shown together by "All" then), and the eight more optimizers.
GROUPS = {"classic": (*optimizers.GRADIENT_METHODS, *optimizers.ESCAPE_METHODS), "more": optimizers.MORE_METHODS}
# Across the groups 16 colours bright enough for the dark theme cannot all keep ΔE 15
# under every deficiency; there dash and shape (unique, tested above) carry the difference.
MIN_DELTA_E_ACROSS = {"normal": 10.0, "protanopia": 3.0, "deuteranopia": 3.0, "tritanopia": 3.0}


def test_the_groups_cover_every_optimizer_once():
    members = [k for group in GROUPS.values() for k in group]
    assert sorted(members) == sorted(optimizers.names()) and len(set(members)) == len(members)


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("vision", VISIONS)
def test_every_pair_of_optimizer_colours_in_a_group_stays_apart(vision, group):
    colours = {k: v for k, v in page_colours().items() if k in GROUPS[group]}
    assert len(colours) == len(GROUPS[group])
    de = pairwise_delta_e(colours, vision)
    (a, b), worst = min(de.items(), key=lambda item: item[1])
    assert worst >= MIN_DELTA_E, f"{vision}: {a} and {b} are only ΔE00 {worst:.1f} apart"


@pytest.mark.parametrize("vision", VISIONS)
def test_colours_of_different_groups_stay_apart(vision):
    de = pairwise_delta_e(page_colours(), vision)
    across = {pair: d for pair, d in de.items() if (pair[0] in GROUPS["more"]) != (pair[1] in GROUPS["more"])}
    assert len(across) == len(GROUPS["classic"]) * len(GROUPS["more"])
    (a, b), worst = min(across.items(), key=lambda item: item[1])
    assert worst >= MIN_DELTA_E_ACROSS[vision], f"{vision}: {a} and {b} are only ΔE00 {worst:.1f} apart"


@pytest.mark.parametrize("key", sorted(page_colours()))
def test_every_colour_reads_against_the_dark_theme(key):
    ratio = contrast_ratio(hex_to_srgb(page_colours()[key]), hex_to_srgb(DARK))
    assert ratio >= MIN_CONTRAST, f"{key}: contrast {ratio:.2f} against {DARK}"


def trail_halo() -> tuple[np.ndarray, float]:
    """The trails' halo as static/plot/style.js (HALO) and static/plot/trails.js (HALO_ALPHA) set it."""
    style = (ROOT / "static" / "plot" / "style.js").read_text()
    trails = (ROOT / "static" / "plot" / "trails.js").read_text()
    rgb = re.search(r'export const HALO = "rgba\((\d+), (\d+), (\d+), [\d.]+\)"', style).groups()
    alpha = float(re.search(r"^const HALO_ALPHA = ([\d.]+);", trails, re.M).group(1))
    return np.array([int(v) for v in rgb]) / 255.0, alpha


@pytest.mark.parametrize("colormap", rendering.colormap_names())
def test_every_trail_reads_on_every_colour_map_over_its_halo(colormap):
    # A trail is drawn over a wider dark translucent halo: wherever it crosses the heatmap,
    # the colour meets the halo blended over that colormap entry (canvas blends in sRGB).
    # WCAG's 3:1 for graphical objects, against every one of the 256 entries.
    halo, alpha = trail_halo()
    table = rendering.lut(colormap)[:, :3] / 255.0
    behind = alpha * halo + (1 - alpha) * table
    luminance = srgb_to_linear(behind) @ np.array([0.2126, 0.7152, 0.0722])
    for key, colour in page_colours().items():
        own = relative_luminance(hex_to_srgb(colour))
        ratio = (np.maximum(own, luminance) + 0.05) / (np.minimum(own, luminance) + 0.05)
        worst = int(ratio.argmin())
        assert ratio[worst] >= 3.0, f"{key} on {colormap}[{worst}]: contrast {ratio[worst]:.2f} over the halo"


def report() -> str:
    """The minimum ΔE00 per vision type, for the record: python tests/test_colours.py."""
    lines = []
    for vision in VISIONS:
        for group, keys in GROUPS.items():
            de = pairwise_delta_e({k: v for k, v in page_colours().items() if k in keys}, vision)
            (a, b), worst = min(de.items(), key=lambda item: item[1])
            lines.append(f"{vision:13s} {group:8s} min ΔE00 {worst:5.1f}  ({a} / {b})")
        de = pairwise_delta_e(page_colours(), vision)
        (a, b), worst = min(de.items(), key=lambda item: item[1])
        lines.append(f"{vision:13s} all 16   min ΔE00 {worst:5.1f}  ({a} / {b})")
    for key, colour in page_colours().items():
        lines.append(f"{key:10s} {colour}  contrast {contrast_ratio(hex_to_srgb(colour), hex_to_srgb(DARK)):.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
