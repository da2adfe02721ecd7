"""Export the page's colormaps from matplotlib into rendering/colormaps.json.

The page draws its heatmap from matplotlib colormaps without loading matplotlib in the
browser (about 3 s of boot time): this script samples each colormap at 256 points with
the pinned matplotlib and stores the table in our wheel. tests/test_rendering.py checks
that the stored tables still equal what matplotlib gives.

    python tools/export_colormaps.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "rendering" / "colormaps.json"

# The default ramp: dark teal for low loss, through teal and violet, to pale lavender.
PLAYGROUND_STOPS = ["#04161c", "#0b4f57", "#178f8c", "#6a5cc4", "#b48be0", "#f1e6ff"]
MATPLOTLIB_NAMES = ["viridis", "magma", "cividis"]


def colormaps():
    """Name → matplotlib Colormap for every map the page offers, default first."""
    import matplotlib
    from matplotlib.colors import LinearSegmentedColormap

    maps = {"playground": LinearSegmentedColormap.from_list("playground", PLAYGROUND_STOPS, N=256)}
    for name in MATPLOTLIB_NAMES:
        maps[name] = matplotlib.colormaps[name]
    return maps


def lut(cmap) -> list[list[int]]:
    """256 RGB triples, 0–255, exactly as matplotlib's ``cmap(x, bytes=True)`` gives them."""
    return np.asarray(cmap(np.linspace(0.0, 1.0, 256), bytes=True))[:, :3].tolist()


def main() -> None:
    import matplotlib

    data = {"matplotlib": matplotlib.__version__, "colormaps": {k: lut(v) for k, v in colormaps().items()}}
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({', '.join(data['colormaps'])}) from matplotlib {matplotlib.__version__}")


if __name__ == "__main__":
    main()
