"""The 3-D surface's facets: about ``cells`` × ``cells`` of them, finer where a flat one would lie.

matplotlib's ``plot_surface(rstride=s, cstride=s)`` draws each s × s block of the grid as
one polygon through the points round its edge, filled flat in between. Where a narrow
valley crosses a block (the Ravine's floor, seen through a log colour scale, where the
height t falls like log|y − x²| to the floor), the polygon dips to the floor only where its
edges cross it; in its interior it is drawn at the walls' height. Along the floor the
surface then reaches down at every s-th grid line and stays up between: a comb, its teeth
10 % of the z range deep on the Ravine at 34 facets.

Here a block is cut in four (down to single grid cells) while it is not flat: while some
point inside it lies further than ``tol`` (a fraction of the z range, which is [0, 1]) from
the bilinear surface through its four corners, the least flat first, up to ``budget``
facets in all. Smooth slopes keep their large facets; a crease, a ridge or a narrow pit
gets facets as small as the grid (a surface bumpy all over, as Rastrigin's, spends the
budget evenly). A facet's polygon runs
through every grid point of its edge, as matplotlib's does, so facets of different sizes
meet without gaps.
"""

from __future__ import annotations

import heapq

import numpy as np

TOL = 0.01  # a facet is flat enough when no grid point in it is further than this from its bilinear surface
BUDGET = 2500  # at most this many facets (drawing time grows with them): the least flat are cut first


def _bilinear_error(block: np.ndarray) -> float:
    """max |t − bilinear(corners)| over a block of t (NaN counts as not flat)."""
    if not np.isfinite(block).all():
        return np.inf
    n, m = block.shape
    u = np.linspace(0.0, 1.0, n)[:, None]
    v = np.linspace(0.0, 1.0, m)[None, :]
    a, b, c, d = block[0, 0], block[0, -1], block[-1, 0], block[-1, -1]
    flat = (1 - u) * (1 - v) * a + (1 - u) * v * b + u * (1 - v) * c + u * v * d
    return float(np.abs(block - flat).max())


def _halves(lo: int, hi: int) -> list[tuple[int, int]]:
    return [(lo, hi)] if hi - lo <= 1 else [(lo, (lo + hi) // 2), ((lo + hi) // 2, hi)]


def facets(t: np.ndarray, cells: int, tol: float = TOL, budget: int = BUDGET) -> list[tuple[int, int, int, int]]:
    """The facets (r0, r1, c0, c1): grid index ranges, corners included, that tile the grid
    t: about ``cells`` × ``cells`` blocks, the least flat cut in four first (module
    docstring) until every one is flat to ``tol`` or a single grid cell, or there are
    ``budget`` of them. Facets with a point where t is not finite are left out (f undefined
    there: no facet), so such blocks are cut first, to keep the facets where f is defined."""
    n_rows, n_cols = t.shape
    rows = np.unique(np.linspace(0, n_rows - 1, min(cells, n_rows - 1) + 1).round().astype(int))
    cols = np.unique(np.linspace(0, n_cols - 1, min(cells, n_cols - 1) + 1).round().astype(int))
    heap, done = [], []

    def consider(r0, r1, c0, c1):
        block = t[r0:r1 + 1, c0:c1 + 1]
        if np.isfinite(block).any():  # a block where f is undefined throughout is no facet
            heapq.heappush(heap, (-_bilinear_error(block), r0, r1, c0, c1))

    for r0, r1 in zip(rows[:-1], rows[1:]):
        for c0, c1 in zip(cols[:-1], cols[1:]):
            consider(r0, r1, c0, c1)
    while heap and -heap[0][0] > tol and len(heap) + len(done) + 3 <= budget:
        error, r0, r1, c0, c1 = heapq.heappop(heap)
        if r1 - r0 == 1 and c1 - c0 == 1:
            if np.isfinite(error):
                done.append((r0, r1, c0, c1))  # a single cell: as fine as the grid goes
            continue
        for a, b in _halves(r0, r1):
            for c, d in _halves(c0, c1):
                consider(a, b, c, d)
    kept = done + [(r0, r1, c0, c1) for error, r0, r1, c0, c1 in heap if np.isfinite(error)]
    return sorted(kept)


def polygons(x: np.ndarray, y: np.ndarray, t: np.ndarray, blocks) -> tuple[list[np.ndarray], np.ndarray]:
    """Each facet's polygon, (k, 3) points x, y, t round its edge through every grid point
    (counter-clockwise), and its mean height (its colour, as ``plot_surface`` colours)."""
    polys, heights = [], []
    for r0, r1, c0, c1 in blocks:
        rr = np.concatenate([np.full(c1 - c0, r0), np.arange(r0, r1), np.full(c1 - c0, r1), np.arange(r1, r0, -1)])
        cc = np.concatenate([np.arange(c0, c1), np.full(r1 - r0, c1), np.arange(c1, c0, -1), np.full(r1 - r0, c0)])
        polys.append(np.column_stack([x[rr, cc], y[rr, cc], t[rr, cc]]))
        heights.append(t[rr, cc].mean())
    return polys, np.asarray(heights)


def draw(ax, x: np.ndarray, y: np.ndarray, t: np.ndarray, cmap, cells: int) -> None:
    """The surface t over (x, y) on the 3-D axes ``ax``, in ``cmap`` over t in [0, 1]: the
    ``facets`` of the grid, each coloured by its mean height (as ``plot_surface`` colours)."""
    from matplotlib.colors import Normalize
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    polys, heights = polygons(x, y, t, facets(t, cells))
    if not polys:
        return  # f undefined over the whole view
    surface = Poly3DCollection(polys, cmap=cmap, norm=Normalize(0.0, 1.0), linewidth=0, antialiased=False,
                               alpha=0.92, zorder=1, rasterized=True)  # SVG: an image
    surface.set_array(heights)
    ax.add_collection3d(surface)
