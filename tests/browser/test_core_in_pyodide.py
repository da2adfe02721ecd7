"""Our core tests, run by pytest inside the real Pyodide runtime in headless Chromium.

The host suite runs tests/test_{landscapes,optimizers,rendering,app,lessons,flow}.py on CPython 3.11
with the current numpy; the page runs the same packages on Pyodide 0.27.7 (Python
3.12.7, numpy 2.0.2, wasm32). This test boots that runtime once, from the same server
and the same wheel the page uses, installs pytest and hypothesis from
requirements-pyodide-tests.txt (pure-Python wheels, hash-checked by
tools/test_wheels.py), copies those test files into Pyodide's filesystem and runs
``pytest.main`` there. Our packages are imported from the installed wheel, not from the
source tree, so this also checks that the wheel carries everything (e.g. colormaps.json).

``./dev test`` builds the runtime and the wheel and exports PLAYGROUND_RUNTIME_DIR and
PLAYGROUND_WHEELS_DIR; without them this test fails (it never skips).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tools import test_wheels  # tools/ imports as a namespace package

REPO = Path(__file__).resolve().parents[2]
CORE_TEST_FILES = ("test_landscapes.py", "test_optimizers.py", "test_rendering.py", "test_app.py",
                   "test_lessons.py", "test_flow.py", "test_more_optimizers.py", "test_sweep.py",
                   "test_app_compare.py", "test_noise.py")
# Tests that cannot run inside Pyodide, each with the reason. (Deselected here rather
# than marked in the core test files, which must stay plain host tests.)
DESELECT = (
    # Recomputes the stored colormaps with matplotlib 3.8.4 through tools/export_colormaps.py:
    # the page's runtime has no matplotlib and tools/ is not part of our wheel. The host
    # suite runs it; here rendering.lut() is still covered by the other rendering tests.
    "tests/test_rendering.py::test_stored_colormaps_equal_what_the_pinned_matplotlib_gives",
    # Runs static/format.js with node, a host program; the host suite runs it.
    "tests/test_rendering.py::test_fmt_transcription_matches_static_format_js",
)
MIN_PASSED = 150  # the four files hold ~200 tests; far fewer means collection went wrong
WORKDIR = "/home/pyodide/core"  # inside Pyodide's in-memory filesystem
BOOT_TIMEOUT_MS = 180_000

# pytest's argument list inside Pyodide:
# --capture=sys  pytest's default fd-level capture fails in Pyodide 0.27.7: FDCapture keeps
#                output in an unlinked TemporaryFile, and Emscripten's filesystem raises
#                ENOENT (errno 44) on fstat()/truncate() of an unlinked file, so pytest
#                dies with "FileNotFoundError: [Errno 44]" in capture.py (seen here; also
#                pyodide/pyodide#5559, pytest-dev/pytest#8935). sys-level capture works and
#                still shows a failing test's prints.
# -p no:cacheprovider  nothing to gain from a .pytest_cache in a throwaway filesystem.
PYTEST_ARGS = [
    "tests", f"--rootdir={WORKDIR}", "-q", "-ra", "--capture=sys", "--color=no",
    "-p", "no:cacheprovider", *(arg for nodeid in DESELECT for arg in ("--deselect", nodeid)),
]

RUN_PYTEST = r"""
import contextlib, io, json, os, sys, time

os.chdir(WORKDIR)  # in memory: hypothesis's .hypothesis/ example database goes here
import pytest

report = io.StringIO()
started = time.perf_counter()
with contextlib.redirect_stdout(report), contextlib.redirect_stderr(report):
    exit_code = int(pytest.main(list(PYTEST_ARGS)))
seconds = time.perf_counter() - started
# Imported only now: pytest must import hypothesis itself to rewrite its plugin's asserts.
import hypothesis, numpy, landscapes

json.dumps({
    "exit_code": exit_code,
    "output": report.getvalue(),
    "seconds": seconds,
    "python": sys.version.split()[0],
    "platform": sys.platform,
    "numpy": numpy.__version__,
    "pytest": pytest.__version__,
    "hypothesis": hypothesis.__version__,
    "landscapes_file": landscapes.__file__,
})
"""

RUN_IN_PAGE = """
async ({wheelUrls, files, workdir, pytestArgs, runPytest}) => {
  const t0 = performance.now();
  const { loadPyodide } = await import(new URL("/pyodide/pyodide.mjs", location.href).href);
  const pyodide = await loadPyodide({ indexURL: new URL("/pyodide/", location.href).href });
  const bootSeconds = (performance.now() - t0) / 1000;
  const index = await (await fetch("/wheels/index.json", { cache: "no-store" })).json();
  const log = [];
  await pyodide.loadPackage(
    ["numpy", "contourpy", new URL("/wheels/" + index.wheel, location.href).href,
     ...wheelUrls.map((u) => new URL(u, location.href).href)],
    { messageCallback: (m) => log.push(m), errorCallback: (m) => { log.push("error: " + m); console.error(m); } },
  );
  const packagesSeconds = (performance.now() - t0) / 1000 - bootSeconds;
  pyodide.FS.mkdirTree(workdir + "/tests");
  for (const [name, text] of Object.entries(files)) {
    pyodide.FS.writeFile(workdir + "/tests/" + name, text);
  }
  const globals = pyodide.toPy({ WORKDIR: workdir, PYTEST_ARGS: pytestArgs });
  try {
    const result = JSON.parse(await pyodide.runPythonAsync(runPytest, { globals }));
    return { ...result, bootSeconds, packagesSeconds, loadLog: log, ourWheel: index.wheel };
  } finally {
    globals.destroy();
  }
}
"""


@pytest.fixture(scope="module")
def pinned_test_wheels() -> dict[str, Path]:
    """File name -> path of the pinned pytest/hypothesis wheels (downloaded once, cached)."""
    return {path.name: path for path in test_wheels.ensure()}


def _core_test_sources() -> dict[str, str]:
    return {name: (REPO / "tests" / name).read_text(encoding="utf-8") for name in CORE_TEST_FILES}


def test_core_package_tests_pass_inside_pyodide_in_chromium(
        browser_context, playground_url, pinned_test_wheels, capsys):
    # browser_context and playground_url (tools/serve.py on a free port) come from
    # tests/browser/conftest.py; they fail with a hint to run ./dev test when the
    # runtime, our wheel or Chromium are missing.
    page = browser_context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    # A blank page on the server's origin, so that /pyodide/ and /wheels/ are same-origin;
    # the test wheels are served from the cache by Playwright, so the product
    # server needs no test-only route.
    blank = playground_url.rstrip("/") + "/__core-tests-in-pyodide.html"
    page.route(blank, lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8",
        body="<!doctype html><meta charset=utf-8><title>core tests in Pyodide</title>"))

    def serve_test_wheel(route):
        path = pinned_test_wheels.get(route.request.url.rsplit("/", 1)[-1])
        if path is None:
            route.fulfill(status=404, body="not a pinned test wheel")
        else:
            route.fulfill(status=200, content_type="application/octet-stream", body=path.read_bytes())

    page.route("**/test-wheels/*", serve_test_wheel)
    page.set_default_timeout(BOOT_TIMEOUT_MS)
    try:
        page.goto(blank)
        started = time.perf_counter()
        result = page.evaluate(RUN_IN_PAGE, {
            "wheelUrls": [f"/test-wheels/{name}" for name in pinned_test_wheels],
            "files": _core_test_sources(),
            "workdir": WORKDIR,
            "pytestArgs": PYTEST_ARGS,
            "runPytest": RUN_PYTEST,
        })
        wall = time.perf_counter() - started
    except Exception as exc:
        pytest.fail(f"booting Pyodide or running pytest in it failed: {exc}\n"
                    f"browser console:\n" + "\n".join(console[-40:]), pytrace=False)
    finally:
        page.close()

    output = result["output"]
    summary = next((line.strip("= ") for line in reversed(output.splitlines()) if line.strip()), "")
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|errors?|skipped|deselected)", summary)}
    with capsys.disabled():
        print(f"\n[pyodide {result['python']} {result['platform']}, numpy {result['numpy']}, "
              f"pytest {result['pytest']}, hypothesis {result['hypothesis']}] {summary} "
              f"(boot {result['bootSeconds']:.1f} s, packages {result['packagesSeconds']:.1f} s, "
              f"pytest {result['seconds']:.1f} s, total {wall:.1f} s)")

    details = (f"\n--- pytest output inside Pyodide (exit code {result['exit_code']}) ---\n{output}"
               f"\n--- loadPackage log ---\n" + "\n".join(result["loadLog"]))
    problems = []
    if result["exit_code"] != 0 or counts.get("failed") or counts.get("error") or counts.get("errors"):
        problems.append(f"pytest inside Pyodide failed: {summary}")
    if counts.get("passed", 0) < MIN_PASSED:
        problems.append(f"only {counts.get('passed', 0)} tests passed inside Pyodide, expected >= {MIN_PASSED}")
    if counts.get("skipped"):  # a skip would hide a test that did not run; deselect with a reason instead
        problems.append(f"tests were skipped inside Pyodide: {summary}")
    if counts.get("deselected", 0) != len(DESELECT):
        problems.append(f"expected exactly {len(DESELECT)} deselected test(s), the summary says: {summary}")
    if "/site-packages/" not in result["landscapes_file"]:
        problems.append(f"our packages must come from the installed wheel, not {result['landscapes_file']}")
    if problems:
        pytest.fail("\n".join(problems) + details, pytrace=False)
